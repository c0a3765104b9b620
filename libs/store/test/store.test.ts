import { describe, expect, it } from 'vitest';
import { s3Endpoint, startTcpProxy, uniqueName } from '@vawg/testing';
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
    await store.delete('reports/2025-H2/r1/cells.csv');
    expect(await store.list('reports/2025-H2/')).toEqual([]);
    store.close();
  });

  it('fails a request to an endpoint that accepts connections and never answers, instead of hanging', async () => {
    const s3 = s3Endpoint();
    const target = new URL(s3.endpoint);
    const proxy = await startTcpProxy(target.hostname, Number(target.port));
    const store = createObjectStore({ ...s3, endpoint: `http://${proxy.address}`, bucket: uniqueName('hang').toLowerCase(), forcePathStyle: true, timeoutMs: 500 });
    try {
      await store.ensureBucket();
      proxy.setMode('blackhole');
      await expect(store.put('a', 'b', 'text/plain')).rejects.toThrow();
      expect(await store.ping()).toBe(false);
      proxy.setMode('pass');
      await store.put('a', 'b', 'text/plain');
    } finally {
      store.close();
      await proxy.close();
    }
  });
});
