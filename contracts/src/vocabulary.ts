// Closed vocabularies of events.md that are not reference files.

export const victimSexes = ['female', 'male', 'other', 'not-recorded'] as const;
export type VictimSex = (typeof victimSexes)[number];

export const ageBands = ['0-15', '16-17', '18-24', '25-34', '35-44', '45-54', '55-64', '65+', 'not-recorded'] as const;
export type AgeBand = (typeof ageBands)[number];

/** The five high-level groups of the 2021 Census, then the two kinds of missing. */
export const ethnicities = ['asian', 'black', 'mixed', 'white', 'other', 'not-stated', 'not-recorded'] as const;
export type Ethnicity = (typeof ethnicities)[number];

/** Age bands under 18: a female victim in one of these is a girl. */
export const childAgeBands: readonly AgeBand[] = ['0-15', '16-17'];
