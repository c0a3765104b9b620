import { describe, expect, it } from 'vitest';
import { s3Endpoint, uniqueName } from '@vawg/testing';
import { createObjectStore } from '../src/index.ts';

describe('object store on the S3 endpoint', () => {
  it('creates its bucket, writes, reads, lists under a prefix, and answers null for a missing key', async () => {
    const store = createObjectStore({ ...s3Endpoint(), bucket: uniqueName('store').toLowerCase(), forcePathStyle: true });
    expect(await store.ping()).toBe(false);
    await store.ensureBucket();
    await store.ensureBucket();
    expect(await store.ping()).toBe(true);
    await store.put('reports/2025-H1/r1/cells.json', '[]\n', 'application/json');
    await store.put('reports/2025-H1/r1/cells.csv', Buffer.from('a,b\n'), 'text/csv');
    await store.put('reports/2025-H2/r1/cells.csv', 'x', 'text/csv');
    expect((await store.get('reports/2025-H1/r1/cells.json'))?.toString()).toBe('[]\n');
    expect(await store.list('reports/2025-H1/')).toEqual(['reports/2025-H1/r1/cells.csv', 'reports/2025-H1/r1/cells.json']);
    expect(await store.get('reports/nothing')).toBeNull();
    store.close();
  });
});
