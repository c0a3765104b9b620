// Months and financial half-years (events.md, "Periods"). Dates are `YYYY-MM-DD` strings
// throughout: calendar days, never instants, so no time zone can move a fact between months.

export type Month = `${number}-${string}`;

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const HALF_YEAR = /^(\d{4})-H([12])$/;

export function monthOf(date: string): string {
  return date.slice(0, 7);
}

export function isHalfYear(period: string): boolean {
  return HALF_YEAR.test(period);
}

/** `YYYY-H1` is April to September of YYYY; `YYYY-H2` is October YYYY to March YYYY+1. */
export function halfYearOf(month: string): string {
  const m = MONTH.exec(month);
  if (!m) throw new Error(`not a month: ${month}`);
  const year = Number(m[1]);
  const mm = Number(m[2]);
  if (mm >= 4 && mm <= 9) return `${year}-H1`;
  return mm >= 10 ? `${year}-H2` : `${year - 1}-H2`;
}

export function monthsOfHalfYear(period: string): string[] {
  const m = HALF_YEAR.exec(period);
  if (!m) throw new Error(`not a half-year: ${period}`);
  const year = Number(m[1]);
  const starts = m[2] === '1' ? [year, 4] : [year, 10];
  return Array.from({ length: 6 }, (_, i) => {
    const index = starts[1]! - 1 + i;
    const y = starts[0]! + Math.floor(index / 12);
    return `${y}-${String((index % 12) + 1).padStart(2, '0')}`;
  });
}

/** The last calendar day of a month, `YYYY-MM-DD`. */
export function lastDayOf(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const day = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return `${month}-${String(day).padStart(2, '0')}`;
}

export function previousHalfYear(period: string): string {
  const m = HALF_YEAR.exec(period);
  if (!m) throw new Error(`not a half-year: ${period}`);
  return m[2] === '2' ? `${m[1]}-H1` : `${Number(m[1]) - 1}-H2`;
}

/** The half-year that ended most recently before a calendar day: what a publication on that day reports. */
export function halfYearEndedBefore(date: string): string {
  return previousHalfYear(halfYearOf(monthOf(date)));
}
