// What a document is, told from its bytes alone (never its name or declared type), fed chunk by
// chunk as it streams past: nothing here holds more than a few kilobytes of head, and for a ZIP
// the last 2 MiB (where its central directory is). Pure: bytes in, a verdict out.
//
// - PDF: starts `%PDF-<digit>.<digit>` and has `%%EOF` in its last 1,024 bytes.
// - ODT: a ZIP whose first entry is `mimetype`, stored uncompressed, holding exactly
//   `application/vnd.oasis.opendocument.text` (ODF 1.2, part 3, 3.3).
// - DOCX: a ZIP whose central directory has `[Content_Types].xml` and `word/document.xml`.
// - CSV: well-formed UTF-8, no NUL or other control character than tab, CR and LF, quotes
//   balanced, and one delimiter (`,` `;` tab `|`) giving the same number (two or more) of fields
//   on every non-blank line.

export type DocumentKind = 'pdf' | 'odt' | 'docx' | 'csv';

export const documentMediaTypes: Record<DocumentKind, string> = {
  pdf: 'application/pdf',
  odt: 'application/vnd.oasis.opendocument.text',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  csv: 'text/csv',
};

export type SniffResult =
  | { ok: true; kind: DocumentKind; mediaType: string }
  | { ok: false; reason: string };

export interface Sniffer {
  push(chunk: Uint8Array): void;
  finish(): SniffResult;
}

const HEAD_BYTES = 4096;
const PDF_TAIL_BYTES = 1024;
/** A central directory must lie in the file's last 2 MiB: a real document's is a few kilobytes. */
export const ZIP_TAIL_BYTES = 2 * 1024 * 1024;

const PDF_MAGIC = [0x25, 0x50, 0x44, 0x46, 0x2d]; // %PDF-
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04]; // PK\3\4
const ODT_MIMETYPE = 'application/vnd.oasis.opendocument.text';

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}

/** Whether what has been seen so far could still begin with `magic`. */
function couldStartWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  const n = Math.min(bytes.length, magic.length);
  for (let i = 0; i < n; i++) if (bytes[i] !== magic[i]) return false;
  return true;
}

/** The last `size` bytes of a stream, kept as a list of chunks (one copy per chunk, none per byte). */
class Tail {
  private chunks: Uint8Array[] = [];
  private length = 0;
  constructor(private readonly size: number) {}
  push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
    while (this.chunks.length > 1 && this.length - this.chunks[0]!.length >= this.size) this.length -= this.chunks.shift()!.length;
  }
  bytes(): Uint8Array {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.size));
  }
}

// --- CSV, byte by byte -------------------------------------------------------------------------

const DELIMITERS = [0x2c, 0x3b, 0x09, 0x7c]; // , ; tab |
const QUOTE = 0x22;

class CsvCheck {
  failure: string | null = null;
  // UTF-8: continuation bytes still expected, and the allowed range of the next one.
  private need = 0;
  private lo = 0x80;
  private hi = 0xbf;
  // Structure.
  private quoted = false;
  private afterCr = false;
  private recordBytes = 0;
  private readonly counts = DELIMITERS.map(() => 0);
  private readonly expected: (number | null)[] = DELIMITERS.map(() => null);
  private readonly consistent = DELIMITERS.map(() => true);
  private records = 0;
  private offset = 0;

  push(chunk: Uint8Array): void {
    if (this.failure) return;
    for (let i = 0; i < chunk.length; i++, this.offset++) {
      const b = chunk[i]!;
      if (!this.utf8(b)) {
        this.failure = `not UTF-8 text (byte ${this.offset})`;
        return;
      }
      if (b === 0) {
        this.failure = `a NUL byte at ${this.offset}: binary, not text`;
        return;
      }
      if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f) {
        this.failure = `a control character (0x${b.toString(16).padStart(2, '0')}) at byte ${this.offset}: binary, not text`;
        return;
      }
      this.structure(b);
      if (this.failure) return;
    }
  }

  private utf8(b: number): boolean {
    if (this.need > 0) {
      if (b < this.lo || b > this.hi) return false;
      this.need--;
      this.lo = 0x80;
      this.hi = 0xbf;
      return true;
    }
    if (b < 0x80) return true;
    if (b >= 0xc2 && b <= 0xdf) this.need = 1;
    else if (b === 0xe0) [this.need, this.lo] = [2, 0xa0];
    else if (b === 0xed) [this.need, this.hi] = [2, 0x9f]; // no UTF-16 surrogates
    else if (b >= 0xe1 && b <= 0xef) this.need = 2;
    else if (b === 0xf0) [this.need, this.lo] = [3, 0x90];
    else if (b === 0xf4) [this.need, this.hi] = [3, 0x8f]; // nothing past U+10FFFF
    else if (b >= 0xf1 && b <= 0xf3) this.need = 3;
    else return false;
    return true;
  }

  private structure(b: number): void {
    const wasCr = this.afterCr;
    this.afterCr = false;
    if (b === QUOTE) {
      this.quoted = !this.quoted; // a doubled quote inside a quoted field toggles twice
      this.recordBytes++;
      return;
    }
    if (this.quoted) {
      this.recordBytes++;
      return;
    }
    if (b === 0x0d) {
      this.afterCr = true;
      this.endRecord();
      return;
    }
    if (b === 0x0a) {
      if (!wasCr) this.endRecord();
      return;
    }
    const d = DELIMITERS.indexOf(b);
    if (d >= 0) this.counts[d]!++;
    this.recordBytes++;
  }

  private endRecord(): void {
    if (this.recordBytes === 0) return; // a blank line
    this.records++;
    DELIMITERS.forEach((_, d) => {
      const fields = this.counts[d]! + 1;
      if (this.expected[d] === null) this.expected[d] = fields;
      else if (this.expected[d] !== fields) this.consistent[d] = false;
      this.counts[d] = 0;
    });
    this.recordBytes = 0;
    if (this.consistent.every((ok, d) => !ok || this.expected[d]! < 2)) {
      this.failure = this.records === 1 && this.expected.every((n) => n! < 2)
        ? 'its first line has a single column (a CSV file has two or more, split by , ; tab or |)'
        : `line ${this.records} breaks the column structure: no delimiter gives the same number of fields on every line`;
    }
  }

  finish(): string | null {
    if (this.failure) return this.failure;
    if (this.need > 0) return 'not UTF-8 text (it ends inside a character)';
    if (this.quoted) return 'a quoted field is never closed';
    this.endRecord();
    if (this.failure) return this.failure;
    if (this.records === 0) return 'no lines of text';
    return null;
  }
}

// --- ZIP: the central directory, read from the tail --------------------------------------------

interface ZipEntry { name: string; method: number; compressedSize: number; localOffset: number }

/** The entries of a ZIP from its last bytes (`tail`, of a file of `total` bytes), or why not. */
export function zipEntries(tail: Uint8Array, total: number): ZipEntry[] | string {
  const view = Buffer.from(tail.buffer, tail.byteOffset, tail.length);
  const tailStart = total - tail.length;
  let eocd = -1;
  for (let p = tail.length - 22; p >= Math.max(0, tail.length - 22 - 0xffff); p--) {
    if (view.readUInt32LE(p) === 0x06054b50 && p + 22 + view.readUInt16LE(p + 20) === tail.length) {
      eocd = p;
      break;
    }
  }
  if (eocd < 0) return 'a ZIP without its end of central directory';
  const count = view.readUInt16LE(eocd + 10);
  const size = view.readUInt32LE(eocd + 12);
  const offset = view.readUInt32LE(eocd + 16);
  if (view.readUInt16LE(eocd + 4) !== 0 || view.readUInt16LE(eocd + 6) !== 0 || view.readUInt16LE(eocd + 8) !== count) return 'a ZIP split over several disks';
  if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) return 'a ZIP64 archive (no document needs one)';
  if (offset + size !== tailStart + eocd) return 'a ZIP whose central directory is not where its end record says';
  if (offset < tailStart) return `a ZIP whose central directory does not fit in its last ${ZIP_TAIL_BYTES} bytes`;
  const entries: ZipEntry[] = [];
  let p = offset - tailStart;
  for (let i = 0; i < count; i++) {
    if (p + 46 > eocd || view.readUInt32LE(p) !== 0x02014b50) return `a ZIP whose central directory is damaged (entry ${i + 1})`;
    const nameLength = view.readUInt16LE(p + 28);
    const next = p + 46 + nameLength + view.readUInt16LE(p + 30) + view.readUInt16LE(p + 32);
    if (next > eocd) return `a ZIP whose central directory is damaged (entry ${i + 1})`;
    entries.push({
      name: view.toString('latin1', p + 46, p + 46 + nameLength), method: view.readUInt16LE(p + 10),
      compressedSize: view.readUInt32LE(p + 20), localOffset: view.readUInt32LE(p + 42),
    });
    p = next;
  }
  if (p !== eocd) return 'a ZIP whose central directory is damaged (its size does not match its entries)';
  return entries;
}

/** Whether the ZIP's first entry (its local header at offset 0, in `head`) is ODT's `mimetype`. */
function isOdt(head: Uint8Array, entries: readonly ZipEntry[]): boolean {
  const first = entries.find((e) => e.localOffset === 0);
  if (first?.name !== 'mimetype' || first.method !== 0 || first.compressedSize !== ODT_MIMETYPE.length || head.length < 30) return false;
  const view = Buffer.from(head.buffer, head.byteOffset, head.length);
  const nameLength = view.readUInt16LE(26);
  const start = 30 + nameLength + view.readUInt16LE(28);
  if (view.readUInt16LE(8) !== 0 || view.toString('latin1', 30, 30 + nameLength) !== 'mimetype') return false;
  return start + first.compressedSize <= head.length && view.toString('latin1', start, start + first.compressedSize) === ODT_MIMETYPE;
}

function sniffZip(head: Uint8Array, tail: Uint8Array, total: number): SniffResult {
  const entries = zipEntries(tail, total);
  if (typeof entries === 'string') return { ok: false, reason: entries };
  if (isOdt(head, entries)) return found('odt');
  const names = new Set(entries.map((e) => e.name));
  if (names.has('[Content_Types].xml') && names.has('word/document.xml')) return found('docx');
  if (names.has('mimetype')) return { ok: false, reason: 'an OpenDocument file that is not a text document (only .odt is taken, with its mimetype entry first and uncompressed)' };
  if (names.has('[Content_Types].xml')) return { ok: false, reason: 'an Office Open XML file that is not a Word document (only .docx is taken)' };
  return { ok: false, reason: 'a ZIP archive that is neither an ODT nor a DOCX document' };
}

// --- PDF ---------------------------------------------------------------------------------------

function sniffPdf(head: Uint8Array, tail: Uint8Array): SniffResult {
  const version = Buffer.from(head.subarray(5, 8)).toString('latin1');
  if (!/^[12]\.\d$/.test(version)) return { ok: false, reason: 'a %PDF- header without a version' };
  if (!Buffer.from(tail).includes('%%EOF', 0, 'latin1')) return { ok: false, reason: 'a PDF without %%EOF in its last 1,024 bytes (truncated?)' };
  return found('pdf');
}

const found = (kind: DocumentKind): SniffResult => ({ ok: true, kind, mediaType: documentMediaTypes[kind] });

export function createSniffer(): Sniffer {
  const headChunks: Uint8Array[] = [];
  let headLength = 0;
  let total = 0;
  const zipTail = new Tail(ZIP_TAIL_BYTES);
  const pdfTail = new Tail(PDF_TAIL_BYTES);
  const csv = new CsvCheck();
  let head = new Uint8Array(0);
  let maybeZip = true;
  let maybePdf = true;
  let csvFed = false;
  return {
    push(chunk) {
      if (chunk.length === 0) return;
      total += chunk.length;
      let rest = chunk;
      if (headLength < HEAD_BYTES) {
        const part = chunk.subarray(0, HEAD_BYTES - headLength);
        headChunks.push(Uint8Array.from(part));
        headLength += part.length;
        head = Buffer.concat(headChunks);
        maybeZip = couldStartWith(head, ZIP_MAGIC);
        maybePdf = couldStartWith(head, PDF_MAGIC);
        rest = chunk.subarray(part.length);
      }
      if (maybeZip) zipTail.push(Uint8Array.from(chunk));
      if (maybePdf) pdfTail.push(Uint8Array.from(chunk));
      if (maybeZip || maybePdf) return;
      // Ruled out within the first five bytes, all of them still in the head: the CSV check starts there.
      if (!csvFed) {
        csv.push(head);
        csvFed = true;
        csv.push(rest);
      } else csv.push(chunk);
    },
    finish() {
      if (total === 0) return { ok: false, reason: 'empty' };
      if (startsWith(head, PDF_MAGIC)) return sniffPdf(head, pdfTail.bytes());
      if (startsWith(head, ZIP_MAGIC)) return sniffZip(head, zipTail.bytes(), total);
      if (maybeZip || maybePdf) return { ok: false, reason: 'too short to be a document' };
      const failure = csv.finish();
      return failure ? { ok: false, reason: `neither a PDF, an ODT, a DOCX nor a CSV file: as CSV, ${failure}` } : found('csv');
    },
  };
}

/** The verdict on a whole file at once (tests, and small files). */
export function sniffDocument(bytes: Uint8Array): SniffResult {
  const sniffer = createSniffer();
  sniffer.push(bytes);
  return sniffer.finish();
}
