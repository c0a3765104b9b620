// Durable storage for the memory bus: one append-only file per topic-partition, fsynced before a
// publish resolves, and one small file per consumer group replaced atomically on each commit.
// It is what lets `vawg up` keep the promise of 202 without a Kafka broker.
import { mkdir, open, readFile, readdir, rename, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

export interface StoredRecord {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
  timestamp: number;
}

// Frame: u32 body length | u32 key length | key | u32 headers length | headers JSON | f64 timestamp | value
function encode(record: StoredRecord): Buffer {
  const key = Buffer.from(record.key);
  const headers = Buffer.from(JSON.stringify(record.headers));
  const body = Buffer.alloc(4 + key.length + 4 + headers.length + 8 + record.value.length);
  let at = body.writeUInt32BE(key.length, 0);
  at += key.copy(body, at);
  at = body.writeUInt32BE(headers.length, at);
  at += headers.copy(body, at);
  at = body.writeDoubleBE(record.timestamp, at);
  record.value.copy(body, at);
  const frame = Buffer.alloc(4);
  frame.writeUInt32BE(body.length, 0);
  return Buffer.concat([frame, body]);
}

/** Decodes whole frames; returns how many bytes they span so a torn tail can be cut off. */
function decodeAll(data: Buffer): { records: StoredRecord[]; validBytes: number } {
  const records: StoredRecord[] = [];
  let at = 0;
  while (at + 4 <= data.length) {
    const length = data.readUInt32BE(at);
    if (at + 4 + length > data.length) break;
    const body = data.subarray(at + 4, at + 4 + length);
    const keyLength = body.readUInt32BE(0);
    const key = body.subarray(4, 4 + keyLength).toString();
    const headersLength = body.readUInt32BE(4 + keyLength);
    const headersAt = 8 + keyLength;
    const headers = JSON.parse(body.subarray(headersAt, headersAt + headersLength).toString()) as Record<string, string>;
    const timestamp = body.readDoubleBE(headersAt + headersLength);
    const value = Buffer.from(body.subarray(headersAt + headersLength + 8));
    records.push({ key, value, headers, timestamp });
    at += 4 + length;
  }
  return { records, validBytes: at };
}

export class PartitionFile {
  private constructor(private readonly handle: FileHandle) {}

  static async open(dir: string, topic: string, partition: number): Promise<{ file: PartitionFile; records: StoredRecord[] }> {
    const topicDir = join(dir, 'topics', encodeURIComponent(topic));
    await mkdir(topicDir, { recursive: true });
    const path = join(topicDir, `${partition}.log`);
    const handle = await open(path, 'a+');
    const { records, validBytes } = decodeAll(await readFile(path));
    // A crash mid-append leaves a partial frame that was never acknowledged: drop it.
    await handle.truncate(validBytes);
    return { file: new PartitionFile(handle), records };
  }

  async append(records: StoredRecord[]): Promise<void> {
    await this.handle.appendFile(Buffer.concat(records.map(encode)));
    await this.handle.sync();
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

export async function readTopicSpecs(dir: string): Promise<Record<string, number>> {
  try {
    return JSON.parse(await readFile(join(dir, 'topics.json'), 'utf8')) as Record<string, number>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
}

async function replaceFile(path: string, content: string): Promise<void> {
  const tmp = `${path}.tmp`;
  await writeFile(tmp, content, { flush: true });
  await rename(tmp, path);
}

export async function writeTopicSpecs(dir: string, specs: Record<string, number>): Promise<void> {
  await mkdir(dir, { recursive: true });
  await replaceFile(join(dir, 'topics.json'), JSON.stringify(specs));
}

export async function readGroupOffsets(dir: string): Promise<Map<string, Record<string, number>>> {
  const groups = new Map<string, Record<string, number>>();
  const groupDir = join(dir, 'groups');
  await mkdir(groupDir, { recursive: true });
  for (const name of await readdir(groupDir)) {
    if (!name.endsWith('.json')) continue;
    const offsets = JSON.parse(await readFile(join(groupDir, name), 'utf8')) as Record<string, number>;
    groups.set(decodeURIComponent(name.slice(0, -'.json'.length)), offsets);
  }
  return groups;
}

export async function writeGroupOffsets(dir: string, groupId: string, offsets: Record<string, number>): Promise<void> {
  await replaceFile(join(dir, 'groups', `${encodeURIComponent(groupId)}.json`), JSON.stringify(offsets));
}
