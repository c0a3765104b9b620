// What a document is, from its bytes alone: real files from other writers (Python's zipfile,
// Info-ZIP, qpdf), the demo's synthetic ones, renamed binaries, and CSV edge cases; and the same
// verdict however the bytes are split into chunks.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { syntheticPdf, syntheticReturnDocuments } from '@vawg/synthetic';
import { createSniffer, sniffDocument, zipEntries, ZIP_TAIL_BYTES, type SniffResult } from '../src/document-sniff.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const kind = (r: SniffResult) => (r.ok ? r.kind : `refused: ${r.reason}`);
const csv = (text: string) => kind(sniffDocument(Buffer.from(text)));
const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(64, 7)]);

describe('telling a document by its content', () => {
  it('knows ODT, DOCX and PDF files written by other tools', () => {
    expect(kind(sniffDocument(fixture('return.odt')))).toBe('odt');
    expect(kind(sniffDocument(fixture('return-infozip.odt')))).toBe('odt');
    expect(kind(sniffDocument(fixture('return.docx')))).toBe('docx');
    expect(kind(sniffDocument(fixture('return-infozip.docx')))).toBe('docx');
    expect(kind(sniffDocument(fixture('return-streamed.docx')))).toBe('docx'); // data descriptors: sizes only in the central directory
    expect(kind(sniffDocument(fixture('return-qpdf.pdf')))).toBe('pdf');
    expect(sniffDocument(fixture('return.docx'))).toEqual({ ok: true, kind: 'docx', mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' });
  });

  it("knows the demo's synthetic CSV and PDF", () => {
    const [measures, summary] = syntheticReturnDocuments('kent', '2025-H1');
    expect(sniffDocument(measures!.body)).toEqual({ ok: true, kind: 'csv', mediaType: 'text/csv' });
    expect(sniffDocument(summary!.body)).toEqual({ ok: true, kind: 'pdf', mediaType: 'application/pdf' });
  });

  it('refuses other ZIP files, renamed binaries and damaged documents, saying what they are', () => {
    expect(kind(sniffDocument(fixture('sheet.ods')))).toMatch(/OpenDocument file that is not a text document/);
    expect(kind(sniffDocument(fixture('archive.zip')))).toMatch(/neither an ODT nor a DOCX/);
    expect(kind(sniffDocument(PNG))).toMatch(/^refused: .*not UTF-8 text/);
    expect(kind(sniffDocument(gzipSync('a,b\n1,2\n')))).toMatch(/^refused/);
    expect(kind(sniffDocument(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0])))).toMatch(/^refused/);
    // A PDF cut short, a header with nothing after it, a DOCX missing its end.
    const pdf = fixture('return-qpdf.pdf');
    expect(kind(sniffDocument(pdf.subarray(0, pdf.length - 2048)))).toMatch(/without %%EOF/);
    expect(kind(sniffDocument(Buffer.from('%PDF-')))).toMatch(/without a version/);
    const docx = fixture('return.docx');
    expect(kind(sniffDocument(docx.subarray(0, docx.length - 10)))).toMatch(/without its end of central directory/);
    expect(kind(sniffDocument(Buffer.from('PK')))).toMatch(/too short/);
    expect(sniffDocument(Buffer.alloc(0))).toEqual({ ok: false, reason: 'empty' });
  });

  it('does not take an ODT whose mimetype entry is not first, or is compressed', () => {
    const odt = fixture('return.odt');
    // The same archive with its mimetype text changed: still a ZIP, no longer a text document.
    const spreadsheet = Buffer.from(odt.toString('latin1').replace('opendocument.text', 'opendocument.texx'), 'latin1');
    expect(kind(sniffDocument(spreadsheet))).toMatch(/^refused: an OpenDocument file/);
    expect(kind(sniffDocument(fixture('mimetype-second.odt')))).toMatch(/^refused: .*OpenDocument file that is not a text document/);
    expect(kind(sniffDocument(fixture('mimetype-deflated.odt')))).toMatch(/^refused: .*OpenDocument file that is not a text document/);
  });

  it('takes well-formed CSV with any usual delimiter, quotes and line ending', () => {
    expect(csv('month,count\n2025-04,3\n2025-05,4\n')).toBe('csv');
    expect(csv('month;count\r\n2025-04;3\r\n2025-05;4')).toBe('csv');
    expect(csv('month\tcount\n2025-04\t3\n')).toBe('csv');
    expect(csv('a|b|c\n1|2|3\n')).toBe('csv');
    expect(csv('\ufeffnote,value\n"says ""hello"", then, a new\nline",1\n"plain",2\n\n')).toBe('csv');
    expect(csv('région,nombre\nÎle-de-France,3\n')).toBe('csv');
    expect(csv('only,a,header\n')).toBe('csv');
  });

  it('refuses text that is not CSV, and bytes that are not text', () => {
    expect(csv('a,b\n1,2,3\n')).toMatch(/line 2 breaks the column structure/);
    expect(csv('Just a sentence.\nAnd another.\n')).toMatch(/first line has a single column/);
    expect(csv('Dear colleague, hello.\nPlease find attached.\n')).toMatch(/line 2 breaks the column structure/);
    expect(csv('a,b\n"open,1\n')).toMatch(/quoted field is never closed/);
    expect(csv('a,b\n1,\u0000\n')).toMatch(/NUL/);
    expect(csv('a,b\n1,\u0007\n')).toMatch(/control character/);
    expect(kind(sniffDocument(Buffer.from([0x61, 0x2c, 0x62, 0x0a, 0xc3, 0x28, 0x2c, 0x31])))).toMatch(/not UTF-8/);
    expect(kind(sniffDocument(Buffer.from([0x61, 0x2c, 0xc0, 0x80, 0x0a])))).toMatch(/not UTF-8/); // overlong NUL
    expect(kind(sniffDocument(Buffer.from([0x61, 0x2c, 0xed, 0xa0, 0x80, 0x0a])))).toMatch(/not UTF-8/); // a surrogate
    expect(kind(sniffDocument(Buffer.from([0x61, 0x2c, 0x62, 0xe2, 0x82])))).toMatch(/ends inside a character/);
    expect(csv('\n\n')).toMatch(/no lines of text/);
    expect(csv('one column\nonly\n')).toMatch(/single column/);
  });

  it('gives the same verdict however the bytes arrive in chunks', () => {
    const samples = [
      fixture('return.odt'), fixture('return-streamed.docx'), fixture('return-qpdf.pdf'), fixture('sheet.ods'), PNG,
      Buffer.from('PK,x\n1,2\n'), Buffer.from('%P,b\n1,2\n'), Buffer.from('a,"b\n"\n1,2\r\n'), Buffer.from('é,ü\n€,😀\n'), Buffer.from('a,b\n1\n'),
      ...syntheticReturnDocuments('essex', '2025-H2').map((d) => d.body),
    ];
    fc.assert(fc.property(fc.constantFrom(...samples), fc.array(fc.integer({ min: 1, max: 700 }), { maxLength: 30 }), (bytes, sizes) => {
      const sniffer = createSniffer();
      let at = 0;
      for (const size of sizes) {
        sniffer.push(bytes.subarray(at, at + size));
        at += size;
      }
      sniffer.push(bytes.subarray(at));
      expect(sniffer.finish()).toEqual(sniffDocument(bytes));
    }), { numRuns: 300 });
  });

  it('reads a central directory only from the last 2 MiB, and refuses a ZIP whose directory is elsewhere', () => {
    const docx = fixture('return.docx');
    const entries = zipEntries(docx, docx.length);
    expect(Array.isArray(entries) && entries.map((e) => e.name)).toEqual(['[Content_Types].xml', '_rels/.rels', 'word/document.xml']);
    // Given a tail that begins after the central directory does (as for a directory over 2 MiB).
    const directory = docx.readUInt32LE(docx.length - 22 + 16);
    expect(zipEntries(docx.subarray(directory + 1), docx.length)).toBe(`a ZIP whose central directory does not fit in its last ${ZIP_TAIL_BYTES} bytes`);
  });

  it('makes PDFs with an exact cross-reference table', () => {
    const pdf = syntheticPdf('Title (with brackets)', ['a line \\ with a backslash']).toString('latin1');
    const xref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(pdf)![1]);
    expect(pdf.slice(xref, xref + 4)).toBe('xref');
    const offsets = [...pdf.slice(xref).matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]));
    offsets.forEach((offset, i) => expect(pdf.slice(offset).startsWith(`${i + 1} 0 obj`)).toBe(true));
    expect(pdf).toContain('(Title \\(with brackets\\))');
  });
});
