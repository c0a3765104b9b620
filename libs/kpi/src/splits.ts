// The splits of kpis.md: which categories each has, and where a crime falls in each.
import { ageBands, ethnicities, victimSexes, childAgeBands, offenceGroups, NOT_VAWG, type AgeBand, type VictimSex, type Ethnicity } from '@vawg/contracts';

export const womenAndGirls = ['women', 'girls', 'female-age-not-recorded', 'not-female'] as const;
export type WomenAndGirls = (typeof womenAndGirls)[number];

/** Every category of every split a crime-based measure is published for, in publication order. */
export const crimeSplits: Readonly<Record<string, readonly string[]>> = {
  all: ['all'],
  sex: victimSexes,
  ethnicity: ethnicities,
  age: ageBands,
  offence: offenceGroups.map((g) => g.id).filter((id) => id !== NOT_VAWG),
  'women-and-girls': womenAndGirls,
};

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
