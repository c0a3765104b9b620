import { describe, expect, it } from 'vitest';
import { allegationCategories, allegationOutcomes, forces, offenceGroups, orderTypes, outcomeCodes } from '../src/index.ts';

describe('reference data copied from the spec', () => {
  it('loads every list whole, with its typed columns', () => {
    expect(forces).toHaveLength(44);
    expect(forces.filter((f) => f.country === 'Wales')).toHaveLength(4);
    expect(forces.find((f) => f.id === 'british-transport-police')).toMatchObject({ onsCode: '', country: 'England and Wales' });
    expect(offenceGroups.map((g) => g.id)).toContain('not-vawg');
    expect(offenceGroups).toHaveLength(17);
    expect(outcomeCodes).toHaveLength(22);
    expect(outcomeCodes.find((o) => o.code === '8')).toMatchObject({ group: 'out-of-court-informal', cjOutcome: 'informal' });
    expect(outcomeCodes.find((o) => o.code === '16')).toMatchObject({ cjOutcome: null });
    expect(orderTypes.filter((o) => o.notice).map((o) => o.id)).toEqual(['dvpn', 'dapn']);
    expect(allegationCategories).toHaveLength(9);
    expect(allegationOutcomes.find((o) => o.id === 'dismissal')?.group).toBe('dismissal');
  });
});
