// Streamed writes, heads and server-side copies against the S3 endpoint.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Endpoint, uniqueName } from '@vawg/testing';
import { createObjectStore, STREAM_PART_BYTES, type ObjectStore } from '../src/index.ts';

/** `total` bytes in 64 KiB chunks, made as they are read: the source is never whole in memory either. */
function generated(total: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      const n = Math.min(65_536, total - sent);
      const chunk = Buffer.alloc(n);
      for (let i = 0; i < n; i++) chunk[i] = (sent + i) % 251;
      sent += n;
      this.push(chunk);
    },
  });
}

const digest = async (stream: Readable) => {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
};

describe('streams and copies on the S3 endpoint', () => {
  let store: ObjectStore;
  beforeAll(async () => {
    store = createObjectStore({ ...s3Endpoint(), bucket: uniqueName('stream').toLowerCase(), forcePathStyle: true });
    await store.ensureBucket();
  });
  afterAll(() => store.close());

  it('writes a small stream in one request and a large one in parts, byte for byte', async () => {
    await store.putStream('in/small', Readable.from([Buffer.from('a,b\n'), Buffer.from('1,2\n')]), 'text/csv');
    expect((await store.get('in/small'))?.toString()).toBe('a,b\n1,2\n');
    expect(await store.head('in/small')).toEqual({ bytes: 8, contentType: 'text/csv' });

    const size = 2 * STREAM_PART_BYTES + 12_345;
    await store.putStream('in/large', generated(size), 'application/octet-stream');
    expect((await store.head('in/large'))?.bytes).toBe(size);
    const stored = await store.getStream('in/large');
    expect(stored?.bytes).toBe(size);
    expect(await digest(stored!.body)).toBe(await digest(generated(size)));
  });

  it('fails the write of a stream that fails, leaving no object', async () => {
    const failing = new Readable({ read() { this.destroy(new Error('sender went away')); } });
    await expect(store.putStream('in/failed', failing, 'text/plain')).rejects.toThrow();
    expect(await store.head('in/failed')).toBeNull();
  });

  it('copies on the server, keeping or replacing the type, and answers null for what is missing', async () => {
    await store.put('from/a', 'hello', 'text/plain');
    await store.copy('from/a', 'to/kept');
    await store.copy('from/a', 'to/typed', 'application/pdf');
    expect(await store.head('to/kept')).toEqual({ bytes: 5, contentType: 'text/plain' });
    expect(await store.head('to/typed')).toEqual({ bytes: 5, contentType: 'application/pdf' });
    expect(await text((await store.getStream('to/typed'))!.body)).toBe('hello');
    expect(await store.head('nothing/here')).toBeNull();
    expect(await store.getStream('nothing/here')).toBeNull();
    await expect(store.copy('nothing/here', 'to/x')).rejects.toThrow();
  });
});
