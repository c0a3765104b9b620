// Small synthetic documents for returns: a CSV of figures and a one-page PDF, made from the force's
// id alone (so the same force always gets the same bytes, and no other generator's draws move).
// No personal data: figures and plain words only.
import { createHash } from 'node:crypto';
import { seeded } from './random.ts';

export interface SyntheticDocument {
  /** A file name as `return.submitted` cites it. */
  name: string;
  body: Buffer;
}

/** What a return cites: `{ name, sha256, bytes }`. */
export interface DocumentCitation {
  name: string;
  sha256: string;
  bytes: number;
}

export function citationOf(document: SyntheticDocument): DocumentCitation {
  return { name: document.name, sha256: createHash('sha256').update(document.body).digest('hex'), bytes: document.body.length };
}

function seedOf(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32LE(0);
}

/** Escapes text for a PDF literal string (ASCII only). */
function pdfString(text: string): string {
  return `(${text.replace(/[^\x20-\x7e]/g, '?').replace(/[\\()]/g, (c) => `\\${c}`)})`;
}

/**
 * A minimal, valid PDF 1.4: one A4 page of Helvetica text, with an exact cross-reference table.
 * Deterministic: the same lines give the same bytes.
 */
export function syntheticPdf(title: string, lines: readonly string[]): Buffer {
  const text = [`BT /F1 16 Tf 56 780 Td 22 TL ${pdfString(title)} Tj /F1 11 Tf 16 TL T*`, ...lines.map((l) => `${pdfString(l)} Tj T*`), 'ET'].join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${Buffer.byteLength(text, 'latin1')} >>\nstream\n${text}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    `<< /Title ${pdfString(title)} /Producer (vawg synthetic) >>`,
  ];
  // A comment of high bytes after the header marks the file as binary, as the PDF spec advises.
  let out = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info 6 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** A CSV of a return's measures, month by month, for a force and half-year. */
export function syntheticReturnCsv(force: string, period: string): Buffer {
  const random = seeded(seedOf(`csv|${force}|${period}`));
  const first = Number(period.slice(0, 4));
  const months = period.endsWith('H1')
    ? [4, 5, 6, 7, 8, 9].map((m) => `${first}-${String(m).padStart(2, '0')}`)
    : [10, 11, 12, 1, 2, 3].map((m) => `${m >= 10 ? first : first + 1}-${String(m).padStart(2, '0')}`);
  const rows = months.map((m) => `${m},${random.int(40)},${random.int(500)},${random.int(12)}`);
  return Buffer.from(`month,actions-completed,staff-trained,scrutiny-panels-held\n${rows.join('\n')}\n`);
}

/** The documents a force's returns for a half-year cite: a CSV of figures and a PDF summary. */
export function syntheticReturnDocuments(force: string, period: string): SyntheticDocument[] {
  const pdf = syntheticPdf(`Return for ${period}: ${force}`, [
    'Synthetic document made by the VAWG data system demonstration.',
    'Actions taken, progress against the plan, and the next steps, in summary.',
    'The figures are in the CSV file cited beside this document.',
  ]);
  return [
    { name: `${force}-${period}-measures.csv`, body: syntheticReturnCsv(force, period) },
    { name: `${force}-${period}-summary.pdf`, body: pdf },
  ];
}
