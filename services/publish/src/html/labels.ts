// What the report calls things: each measure's title, the labels of categories that could be
// misread, the qualitative questions, the pillars, and how periods and months are written.
import { forces } from '@vawg/contracts';
import { measures } from '@vawg/kpi';

export const titles: Record<string, string> = {
  'allegations-received': 'Complaints and misconduct allegations received',
  'allegations-finalised': 'Allegations finalised',
  'median-days-allegation-to-outcome': 'Median days from allegation to outcome',
  'crimes-recorded': 'VAWG crimes recorded',
  'crimes-domestic-abuse': 'VAWG crimes flagged as domestic abuse',
  'outcomes-assigned': 'Outcomes assigned',
  'cj-outcomes-assigned': 'Criminal justice outcomes assigned',
  'charge-rate': 'Charge or summons rate',
  'median-days-to-outcome': 'Median days from recording to outcome',
  'outstanding-suspects': 'Crime–suspect pairs outstanding at the end of the period (a crime with two outstanding suspects counts twice)',
  'orders-applied': 'Protective orders applied for',
  'orders-granted': 'Protective orders granted',
  'orders-breached': 'Breaches of protective orders',
  'dvds-applications': 'Domestic Violence Disclosure Scheme applications',
  'dvds-disclosures': 'DVDS disclosures made',
  'median-days-dvds-decision': 'Median days from DVDS application to decision',
  'victim-withdrawal-suspect-identified': 'Victim does not support action, suspect identified (outcome 16)',
  'victim-withdrawal-no-suspect': 'Victim does not support action, no suspect identified (outcome 14)',
  'evidential-difficulties-victim-supports': 'Evidential difficulties, victim supports action (outcome 15)',
  'sex-recorded-rate': 'Victim sex recorded',
  'ethnicity-recorded-rate': 'Victim ethnicity recorded',
};
/** Categories whose code alone could be misread. `not-female` is everyone not recorded as female, sex not recorded included. */
export const categoryLabels: Record<string, string> = {
  'not-female': 'not-female: male, other, or sex not recorded (not "male")',
  'female-age-not-recorded': 'female, age not recorded',
  women: 'women (female, 18 and over)',
  girls: 'girls (female, under 18)',
};
export const qualitativeTitles: Record<string, string> = {
  '2.1': 'Challenging sexism and misogyny in the workforce',
  '3.1': 'Confidence of women and girls in the policing response',
  '4.1': 'Involving women and girls in scrutiny',
  '9.1': 'VAWG in control strategies and plans',
  '10.1': 'Identifying the riskiest spaces',
  '10.2': 'Acting on the riskiest spaces',
};
export const pillars: { title: string; kpis: string[] }[] = [
  { title: 'Pillar 1: Build trust and confidence', kpis: ['1.1', '1.2', '1.3'] },
  { title: 'Pillar 2: Relentless perpetrator pursuit', kpis: ['5.1', '5.2', '5.3', '5.4', '6.1', '6.2', '6.3', '6.4', '7.1', '7.2', '8.1'] },
];
export const quality = ['P1', 'P2'];
export const forceName = new Map(forces.map((f) => [f.id, f.name]));
export const byKpi = (kpis: string[]) => measures.filter((m) => kpis.includes(m.kpi));

export function periodLabel(period: string): string {
  const [year, half] = period.split('-H') as [string, string];
  const y = Number(year);
  return half === '1' ? `April to September ${y}` : `October ${y} to March ${y + 1}`;
}
export function monthLabel(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return `${['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'][m - 1]} ${y}`;
}
