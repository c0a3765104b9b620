// Charts as inline SVG: no script, no network. Each has a title and a description that a screen
// reader announces (role="img"), and the same figures are given as a table next to it. A marked
// bar carries a pattern and a text label as well as its colour, and the reference line is dashed
// and labelled: nothing is told by colour alone.
import { html, type Markup } from './template.ts';

export interface Bar {
  label: string;
  value: number | null;
  /** Drawn with a hatch and labelled "(this force)". */
  marked?: boolean;
  /** Shown instead of the value when there is none: "[c]" or "no data". */
  note?: string;
}

export interface ChartSpec {
  id: string;
  title: string;
  description: string;
  bars: Bar[];
  /** A reference value drawn across the bars: the national value. */
  reference?: { value: number; label: string } | undefined;
  format: (value: number) => string;
}

const BAR_COLOUR = '#1d4f91';
const MARK_COLOUR = '#6f2c91';

/** Horizontal bars, one row per label: readable for six months or 44 forces alike. */
export function barChart(spec: ChartSpec): Markup {
  const rowHeight = 18;
  const labelWidth = 270;
  const valueWidth = 70;
  const plotWidth = 420;
  const top = 6;
  const height = top + spec.bars.length * rowHeight + 26;
  const width = labelWidth + plotWidth + valueWidth;
  const max = Math.max(1, ...spec.bars.map((b) => b.value ?? 0), spec.reference?.value ?? 0);
  const x = (v: number) => labelWidth + (v / max) * plotWidth;
  const titleId = `${spec.id}-title`;
  const descId = `${spec.id}-desc`;
  const hatchId = `${spec.id}-hatch`;
  return html`<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="${titleId} ${descId}" viewBox="0 0 ${width} ${height}" width="100%" style="max-width:${width}px">
<title id="${titleId}">${spec.title}</title>
<desc id="${descId}">${spec.description}</desc>
<defs><pattern id="${hatchId}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="${MARK_COLOUR}"/><line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="2"/></pattern></defs>
${spec.bars.map((bar, i) => {
    const y = top + i * rowHeight;
    const value = bar.value;
    const label = bar.marked ? `${bar.label} (this force)` : bar.label;
    return html`<g>
<text x="${labelWidth - 6}" y="${y + 13}" text-anchor="end" font-size="12" fill="#0b0c0c"${bar.marked ? html` font-weight="bold"` : ''}>${label}</text>
${value === null ? '' : html`<rect x="${labelWidth}" y="${y + 3}" width="${Math.max(0, x(value) - labelWidth).toFixed(1)}" height="${rowHeight - 6}" fill="${bar.marked ? `url(#${hatchId})` : BAR_COLOUR}"/>`}
<text x="${value === null ? labelWidth + 4 : x(value) + 4}" y="${y + 13}" font-size="12" fill="#0b0c0c">${value === null ? (bar.note ?? 'no data') : spec.format(value)}</text>
</g>`;
  })}
${spec.reference ? html`<line x1="${x(spec.reference.value).toFixed(1)}" y1="${top}" x2="${x(spec.reference.value).toFixed(1)}" y2="${top + spec.bars.length * rowHeight}" stroke="#0b0c0c" stroke-width="2" stroke-dasharray="5 3"/>
<text x="${x(spec.reference.value).toFixed(1)}" y="${top + spec.bars.length * rowHeight + 16}" text-anchor="middle" font-size="12" fill="#0b0c0c">${spec.reference.label}: ${spec.format(spec.reference.value)}</text>` : ''}
</svg>`;
}
