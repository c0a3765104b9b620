// The splits of kpis.md: which categories each has, and where a crime falls in each.
import {
  ageBands, allegationCategories, allegationOutcomes, childAgeBands, ethnicities, NOT_VAWG, offenceGroups, orderTypes,
  outcomeCodes, victimSexes, type AgeBand, type Ethnicity, type VictimSex,
} from '@vawg/contracts';

export const womenAndGirls = ['women', 'girls', 'female-age-not-recorded', 'not-female'] as const;
export type WomenAndGirls = (typeof womenAndGirls)[number];

const distinct = (values: string[]) => [...new Set(values)];

/** Every category of every split, in publication order (kpis.md, "Splits"). */
export const splitCategories: Readonly<Record<string, readonly string[]>> = {
  all: ['all'],
  sex: victimSexes,
  ethnicity: ethnicities,
  age: ageBands,
  offence: offenceGroups.map((g) => g.id).filter((id) => id !== NOT_VAWG),
  'women-and-girls': womenAndGirls,
  'outcome-group': distinct(outcomeCodes.map((o) => o.group)),
  'cj-outcome': ['formal', 'informal'],
  'order-type': orderTypes.map((o) => o.id),
  'dvds-route': ['right-to-ask', 'right-to-know'],
  'allegation-category': allegationCategories.map((c) => c.id),
  'allegation-kind': ['complaint', 'conduct-matter'],
  'allegation-outcome': allegationOutcomes.map((o) => o.id),
  'allegation-outcome-group': distinct(allegationOutcomes.map((o) => o.group)),
};

/** The splits every crime-based measure is published for. */
export const crimeSplitNames = ['all', 'sex', 'ethnicity', 'age', 'offence', 'women-and-girls'] as const;

export function womenAndGirlsOf(sex: VictimSex, ageBand: AgeBand): WomenAndGirls {
  if (sex !== 'female') return 'not-female';
  if (ageBand === 'not-recorded') return 'female-age-not-recorded';
  return childAgeBands.includes(ageBand) ? 'girls' : 'women';
}

export interface CrimeFacts {
  offenceGroup: string;
  victimSex: VictimSex;
  victimAgeBand: AgeBand;
  victimEthnicity: Ethnicity;
}

export interface SplitCategory {
  split: string;
  category: string;
}

/** The one category of each crime split this crime falls in, `all` first. */
export function crimeCategories(crime: CrimeFacts): SplitCategory[] {
  return [
    { split: 'all', category: 'all' },
    { split: 'sex', category: crime.victimSex },
    { split: 'ethnicity', category: crime.victimEthnicity },
    { split: 'age', category: crime.victimAgeBand },
    { split: 'offence', category: crime.offenceGroup },
    { split: 'women-and-girls', category: womenAndGirlsOf(crime.victimSex, crime.victimAgeBand) },
  ];
}
