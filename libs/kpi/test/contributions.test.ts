import { describe, expect, it } from 'vitest';
import { crimeContributions, DeltaSet, womenAndGirlsOf, type CrimeState } from '../src/index.ts';

const crime: CrimeState = {
  force: 'kent', recordedOn: '2025-05-14', offenceGroup: 'stalking', domesticAbuse: true,
  victimSex: 'female', victimAgeBand: '16-17', victimEthnicity: 'not-stated',
};

describe('crime contributions', () => {
  it('counts a crime once in every split of both 5.1 measures, in its recorded month', () => {
    const cells = crimeContributions(crime);
    expect(cells).toHaveLength(12);
    expect(cells.every((c) => c.month === '2025-05' && c.force === 'kent')).toBe(true);
    expect(cells.filter((c) => c.measure === 'crimes-recorded').map((c) => `${c.split}=${c.category}`)).toEqual([
      'all=all', 'sex=female', 'ethnicity=not-stated', 'age=16-17', 'offence=stalking', 'women-and-girls=girls',
    ]);
  });

  it('leaves out a crime that is not domestic abuse from crimes-domestic-abuse, and a not-vawg crime from everything', () => {
    expect(crimeContributions({ ...crime, domesticAbuse: false }).some((c) => c.measure === 'crimes-domestic-abuse')).toBe(false);
    expect(crimeContributions({ ...crime, offenceGroup: 'not-vawg' })).toEqual([]);
  });

  it('moves a corrected crime between cells and nets unchanged cells to nothing', () => {
    const deltas = new DeltaSet();
    deltas.transition(crimeContributions(crime), crimeContributions({ ...crime, victimSex: 'male' }));
    const changed = deltas.toArray().map((d) => `${d.measure}:${d.split}=${d.category}:${d.delta}`);
    expect(changed.sort()).toEqual([
      'crimes-domestic-abuse:sex=female:-1', 'crimes-domestic-abuse:sex=male:1',
      'crimes-domestic-abuse:women-and-girls=girls:-1', 'crimes-domestic-abuse:women-and-girls=not-female:1',
      'crimes-recorded:sex=female:-1', 'crimes-recorded:sex=male:1',
      'crimes-recorded:women-and-girls=girls:-1', 'crimes-recorded:women-and-girls=not-female:1',
    ].sort());
  });

  it('classifies women and girls', () => {
    expect(womenAndGirlsOf('female', '18-24')).toBe('women');
    expect(womenAndGirlsOf('female', '0-15')).toBe('girls');
    expect(womenAndGirlsOf('female', 'not-recorded')).toBe('female-age-not-recorded');
    expect(womenAndGirlsOf('not-recorded', '0-15')).toBe('not-female');
  });
});
