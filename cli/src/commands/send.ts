import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { CsvError, eventTypes, readCsvEvents, type EventType } from '@vawg/contracts';
import { SingleBar, Presets } from 'cli-progress';
import { ingestUrl } from '../connect.ts';
import { sendLines, type SendTotals, type SourceLine } from '../send-lines.ts';
import { CliError } from '../cli-error.ts';
import { tokenFrom } from './tokens.ts';

export async function readNdjsonFiles(files: string[]): Promise<SourceLine[]> {
  const lines: SourceLine[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new CliError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    text.split('\n').forEach((line, i) => {
      if (line.trim() !== '') lines.push({ text: line.replace(/\r$/, ''), where: `${basename(file)}:${i + 1}` });
    });
  }
  return lines;
}

/**
 * A CSV file of one event type (see the README, "CSV files"), row by row as NDJSON lines: each row is
 * sent whatever its cells, so the ingest API refuses a bad one with its rule code. A header that does
 * not fit the type, or a file that is not well-formed CSV, stops everything before anything is sent.
 */
export async function readCsvFile(file: string, type?: EventType): Promise<SourceLine[]> {
  const lines: SourceLine[] = [];
  const name = basename(file);
  try {
    for await (const row of readCsvEvents(createReadStream(file), { fileName: name, type })) {
      lines.push({ text: JSON.stringify(row.event), where: `${name}:${row.line}` });
    }
  } catch (error) {
    if (error instanceof CsvError) throw new CliError(`${file}: ${error.message}; nothing was sent`);
    throw new CliError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return lines;
}

const isCsv = (file: string) => /\.csv$/i.test(file);

/** NDJSON files and CSV files (by their `.csv` ending), in the order given. */
export async function readEventFiles(files: string[], type?: string): Promise<SourceLine[]> {
  if (type !== undefined && !(eventTypes as string[]).includes(type)) {
    throw new CliError(`--type ${type}: not an event type; one of ${eventTypes.join(', ')}`);
  }
  const lines: SourceLine[] = [];
  for (const file of files) {
    lines.push(...(isCsv(file) ? await readCsvFile(file, type as EventType | undefined) : await readNdjsonFiles([file])));
  }
  return lines;
}

export function printTotals(totals: SendTotals): void {
  console.log(`sent ${totals.lines} events in ${totals.submissions} submission${totals.submissions === 1 ? '' : 's'}: ${totals.accepted} accepted, ${totals.refused} refused`);
  const codes = [...totals.byCode].sort((a, b) => b[1] - a[1]);
  for (const [code, count] of codes.slice(0, 10)) console.log(`  ${String(count).padStart(7)}  ${code}`);
  if (totals.examples.length > 0) {
    console.log('first refusals:');
    for (const example of totals.examples) console.log(`  ${example}`);
  }
}

export async function sendCommand(files: string[], options: { force: string; token?: string; tokenFile?: string; url?: string; type?: string }): Promise<void> {
  const url = ingestUrl(options.url);
  const token = await tokenFrom(options);
  const lines = await readEventFiles(files, options.type);
  if (lines.length === 0) throw new CliError(`no events in ${files.join(', ')}`);
  const bar = new SingleBar({ format: 'sending [{bar}] {value}/{total} events', stream: process.stderr, hideCursor: true }, Presets.shades_classic);
  bar.start(lines.length, 0);
  try {
    const totals = await sendLines({ url, token, force: options.force, lines, onProgress: (n) => bar.update(n) });
    bar.stop();
    printTotals(totals);
  } finally {
    bar.stop();
  }
}
