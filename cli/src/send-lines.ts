// Sends NDJSON lines to the ingest API in batches within its limits, and sums the receipts.
import { CliError } from './cli-error.ts';

export interface SourceLine {
  text: string;
  /** Where the line came from, e.g. `crimes.ndjson:12`, for the person reading refusals. */
  where: string;
}

export interface SendTotals {
  submissions: number;
  lines: number;
  accepted: number;
  refused: number;
  byCode: Map<string, number>;
  /** The first refusals, as `where: code: message`. */
  examples: string[];
}

const MAX_LINES = 5000;
const MAX_BYTES = 8 * 1024 * 1024;
const MAX_EXAMPLES = 10;

interface ReceiptBody {
  lines: number;
  accepted: number;
  refused: number;
  results: { line: number; status: string; code?: string; message?: string }[];
}

export function batchesOf(lines: readonly SourceLine[]): SourceLine[][] {
  const batches: SourceLine[][] = [];
  let current: SourceLine[] = [];
  let bytes = 0;
  for (const line of lines) {
    const size = Buffer.byteLength(line.text) + 1;
    if (current.length > 0 && (current.length === MAX_LINES || bytes + size > MAX_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(line);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

export async function sendLines(options: {
  url: string;
  token: string;
  force: string;
  lines: readonly SourceLine[];
  onProgress?: (sent: number) => void;
}): Promise<SendTotals> {
  const totals: SendTotals = { submissions: 0, lines: 0, accepted: 0, refused: 0, byCode: new Map(), examples: [] };
  for (const batch of batchesOf(options.lines)) {
    let response: Response;
    for (let attempt = 1; ; attempt += 1) {
      try {
        response = await fetch(`${options.url}/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/x-ndjson', 'x-vawg-force': options.force },
          body: batch.map((l) => l.text).join('\n'),
        });
      } catch (error) {
        throw new CliError(`cannot reach ${options.url} (${(error as Error).message}); ${totals.lines} lines were sent before this`);
      }
      // Over the force's fair share: wait as told and send the batch again (nothing of it was taken).
      if (response.status !== 429 || attempt === 10) break;
      await response.arrayBuffer();
      await new Promise((resolve) => setTimeout(resolve, 1000 * Math.min(30, Number(response.headers.get('retry-after') ?? 1))));
    }
    const body = (await response.json().catch(() => ({}))) as Partial<ReceiptBody> & { title?: string; detail?: string };
    if (response.status !== 202) {
      throw new CliError(`${response.status} ${body.title ?? ''}: ${body.detail ?? 'no detail'} (at ${batch[0]?.where}; ${totals.lines} lines were accepted or refused before this)`);
    }
    totals.submissions += 1;
    totals.lines += body.lines ?? 0;
    totals.accepted += body.accepted ?? 0;
    totals.refused += body.refused ?? 0;
    for (const r of body.results ?? []) {
      if (r.status !== 'refused' || !r.code) continue;
      totals.byCode.set(r.code, (totals.byCode.get(r.code) ?? 0) + 1);
      if (totals.examples.length < MAX_EXAMPLES) totals.examples.push(`${batch[r.line - 1]?.where ?? `line ${r.line}`}: ${r.code}: ${r.message ?? ''}`);
    }
    options.onProgress?.(totals.lines);
  }
  return totals;
}
