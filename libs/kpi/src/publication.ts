// The published rows of a half-year (kpis.md, "The published report"): every measure of the
// catalogue for the half-year and each of its six months, for every force and `national`, with
// every category of every split (0 where nothing happened), and disclosure control applied to
// force values. Pure: the aggregate's monthly cells in, rows out.
import { qualitativeKpis, type Dataset } from '@vawg/contracts';
import { measures } from './measures.ts';
import { monthsOfHalfYear } from './periods.ts';
import { splitCategories } from './splits.ts';
import { mergeHistograms, median, type Histogram } from './median.ts';
import { isSmallBase, suppressMedianSplit, suppressRateSplit, suppressSplit } from './disclosure.ts';
import { sortRows, type PublishedRow } from './cells.ts';

export const NATIONAL = 'national';
/** The month of a stock's opening balance: the sum of its changes before the half-year. */
export const OPENING = 'opening';
/** The measure of a qualitative return's row: 1 when the force's return for the half-year is in. */
export const RETURN_RECEIVED = 'return-received';

export function countKey(force: string, month: string, measure: string, split: string, category: string): string {
  return `${force}|${month}|${measure}|${split}|${category}`;
}

export interface PublicationInput {
  /** Monthly count cells per force (and OPENING balances of stock measures), by countKey. */
  counts: ReadonlyMap<string, number>;
  /** Monthly day-count histograms per force, by countKey. */
  histograms: ReadonlyMap<string, Histogram>;
  /** `force|kpi` of every qualitative return received for the half-year. */
  returns: ReadonlySet<string>;
  /** Which force-dataset-months had data or were closed by the cut-off; without it, all were and all closed. */
  completeness?: PublicationCompleteness;
}

export interface PublicationCompleteness {
  /** Something was received for it by the cut-off, or it was closed (a declared nothing). */
  reported(force: string, dataset: Dataset, month: string): boolean;
  closed(force: string, dataset: Dataset, month: string): boolean;
}

/** The dataset each KPI's figures come from: its completeness is the figures'. */
export function datasetOfKpi(kpi: string): Dataset {
  if (kpi.startsWith('1.')) return 'allegations';
  if (kpi === '6.1' || kpi === '6.2') return 'orders';
  if (kpi === '6.3' || kpi === '6.4') return 'dvds';
  if ((qualitativeKpis as readonly string[]).includes(kpi)) return 'returns';
  return 'crime';
}

const everything: PublicationCompleteness = { reported: () => true, closed: () => true };

/** Rounded half away from zero to one decimal place, in exact integer arithmetic. */
export function percentage(numerator: number, denominator: number): number {
  return Math.floor((2000 * numerator + denominator) / (2 * denominator)) / 10;
}

interface Span { label: string; months: readonly string[]; last: string }

export interface BuildOptions {
  /** Apply disclosure control (the default). Off only to know the true values, as the audit's tests do. */
  disclosure?: boolean;
  /**
   * Where a split's rules leave one withheld cell and no other non-zero one, withhold a zero
   * (the default, as publications do today), or leave it to the protection across tables
   * (audit/witness.ts), which never withholds a zero a reader could not tell might be one.
   */
  complementZeros?: boolean;
}

export function buildRows(period: string, forces: readonly string[], input: PublicationInput, options: BuildOptions = {}): PublishedRow[] {
  const protect = options.disclosure !== false;
  const zeros = options.complementZeros !== false;
  const months = monthsOfHalfYear(period);
  const spans: Span[] = [{ label: period, months, last: months[5]! }, ...months.map((m) => ({ label: m, months: [m], last: m }))];
  const rows: PublishedRow[] = [];
  // Which cells of each published count were withheld, for the measures that inherit them.
  const withheld = new Map<string, boolean[]>();
  const count = (force: string, month: string, source: string, split: string, category: string) =>
    input.counts.get(countKey(force, month, source, split, category)) ?? 0;
  const sum = (force: string, span: Span, source: string, split: string, category: string) =>
    span.months.reduce((total, month) => total + count(force, month, source, split, category), 0);
  const stock = (force: string, span: Span, source: string, split: string, category: string) => {
    let total = count(force, OPENING, source, split, category);
    for (const month of months) {
      total += count(force, month, source, split, category);
      if (month === span.last) break;
    }
    return total;
  };

  const completeness = input.completeness ?? everything;
  for (const measure of measures) {
    const dataset = datasetOfKpi(measure.kpi);
    for (const split of measure.splits) {
      const categories = splitCategories[split];
      if (!categories) throw new Error(`measure ${measure.id}: unknown split ${split}`);
      for (const span of spans) {
        // How complete each force is over the span, and the nation: the columns every row carries.
        const status = new Map(forces.map((force) => {
          const all = span.months.every((m) => completeness.reported(force, dataset, m));
          const closed = span.months.every((m) => completeness.closed(force, dataset, m));
          return [force, { all, closed }];
        }));
        const included = [...status.values()].filter((s) => s.all).length;
        const closedForces = [...status.values()].filter((s) => s.closed).length;
        /** In the national figure, and published for itself: a force that sent something, or closed, for every month of the span. */
        const inNational = (force: string) => status.get(force)!.all;
        const emit = (geography: string, made: Values[]) => categories.forEach((category, i) => {
          const own = status.get(geography);
          const marks = own
            ? { provisional: !own.closed, forcesIncluded: own.all ? 1 : 0, forcesClosed: own.closed ? 1 : 0 }
            : { provisional: closedForces < forces.length, forcesIncluded: included, forcesClosed: closedForces };
          // A force with a month of the span from which nothing was received (nor closed) has no
          // figure for it, not a partial one or 0; the national figure holds only the forces that have.
          const values = own ? (own.all ? made[i]! : notReceivedRow) : included === 0 ? notReceivedRow : made[i]!;
          rows.push({ period: span.label, geography, kpi: measure.kpi, measure: measure.id, split, category, ...values, ...marks });
        });
        const inherited = (force: string) => (measure.guard && split !== 'all' ? withheld.get(`${force}|${span.label}|${measure.guard}|${split}`) : undefined) ?? [];
        const remember = (force: string, suppressed: boolean[]) => withheld.set(`${force}|${span.label}|${measure.id}|${split}`, suppressed);

        switch (measure.kind) {
          case 'count':
          case 'stock': {
            const read = measure.kind === 'count' ? sum : stock;
            const national = categories.map(() => 0);
            for (const force of forces) {
              const values = categories.map((c) => read(force, span, measure.source, split, c));
              if (inNational(force)) values.forEach((v, i) => (national[i]! += v));
              const suppressed = split === 'all' || !protect ? values.map(() => false) : suppressSplit(values, inherited(force), zeros);
              remember(force, suppressed);
              emit(force, values.map((v, i) => countRow(v, suppressed[i]!)));
            }
            emit(NATIONAL, national.map((v) => countRow(v, false)));
            break;
          }
          case 'rate': {
            const nationalN = categories.map(() => 0);
            const nationalD = categories.map(() => 0);
            for (const force of forces) {
              const nums = categories.map((c) => sum(force, span, measure.numerator, split, c));
              const dens = categories.map((c) => sum(force, span, measure.denominator, split, c));
              if (inNational(force)) {
                nums.forEach((v, i) => (nationalN[i]! += v));
                dens.forEach((v, i) => (nationalD[i]! += v));
              }
              const suppressed = !protect ? dens.map(() => false) : split === 'all' ? dens.map(isSmallBase) : suppressRateSplit(nums, dens, inherited(force), zeros);
              emit(force, nums.map((n, i) => rateRow(n, dens[i]!, suppressed[i]!)));
            }
            emit(NATIONAL, nationalN.map((n, i) => rateRow(n, nationalD[i]!, false)));
            break;
          }
          case 'median': {
            const national = categories.map(() => [] as Histogram[]);
            for (const force of forces) {
              const merged = categories.map((c) => mergeHistograms(span.months.flatMap((m) => {
                const h = input.histograms.get(countKey(force, m, measure.source, split, c));
                return h ? [h] : [];
              })));
              if (inNational(force)) merged.forEach((h, i) => national[i]!.push(h));
              const medians = merged.map(median);
              const ns = medians.map((m) => m?.n ?? 0);
              const suppressed = !protect ? ns.map(() => false) : split === 'all' ? ns.map(isSmallBase) : suppressMedianSplit(ns, inherited(force), zeros);
              emit(force, medians.map((m, i) => medianRow(m, suppressed[i]!)));
            }
            emit(NATIONAL, national.map((hs) => medianRow(median(mergeHistograms(hs)), false)));
            break;
          }
        }
      }
    }
  }
  for (const kpi of qualitativeKpis) {
    let received = 0;
    for (const force of forces) {
      const value = input.returns.has(`${force}|${kpi}`) ? 1 : 0;
      received += value;
      // Whether the return is in is itself the measure: every force is in it, received (1) or not (0).
      rows.push({ period, geography: force, kpi, measure: RETURN_RECEIVED, split: 'all', category: 'all', ...countRow(value, false), provisional: false, forcesIncluded: 1, forcesClosed: 1 });
    }
    rows.push({ period, geography: NATIONAL, kpi, measure: RETURN_RECEIVED, split: 'all', category: 'all', ...countRow(received, false), provisional: false, forcesIncluded: forces.length, forcesClosed: forces.length });
  }
  return sortRows(rows);
}

type Values = Pick<PublishedRow, 'value' | 'numerator' | 'denominator' | 'n' | 'suppressed'>;
const withheldRow: Values = { value: null, numerator: null, denominator: null, n: null, suppressed: true };
const notReceivedRow: Values = { value: null, numerator: null, denominator: null, n: null, suppressed: false };

function countRow(value: number, suppressed: boolean): Values {
  return suppressed ? withheldRow : { value, numerator: null, denominator: null, n: null, suppressed: false };
}

function rateRow(numerator: number, denominator: number, suppressed: boolean): Values {
  if (suppressed) return withheldRow;
  return { value: denominator === 0 ? null : percentage(numerator, denominator), numerator, denominator, n: null, suppressed: false };
}

function medianRow(result: { median: number; n: number } | null, suppressed: boolean): Values {
  if (suppressed) return withheldRow;
  return { value: result?.median ?? null, numerator: null, denominator: null, n: result?.n ?? 0, suppressed: false };
}

