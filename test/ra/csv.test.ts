import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvCell, csvRecord, csvStream } from '../../src/ra/reports/csv.js';

async function collect(stream: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk;
  return text;
}

/** A strict RFC 4180 reader, written independently of the writer, for round trips. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i++;
      } else {
        field += c;
        i++;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
      i++;
    } else if (c === ',') {
      record.push(field);
      field = '';
      i++;
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 2;
    } else {
      field += c;
      i++;
    }
  }
  return records;
}

describe('REP-01 CSV export (RFC 4180, formula-injection safe, streamed)', () => {
  it('REP-01 writes a header row, CRLF line ends, and quotes what needs quoting', async () => {
    const rows = [{ uuid: '555000000001', name: 'Smith, Jo "JJ"', note: 'two\nlines' }];
    const text = await collect(
      csvStream(rows, [
        { header: 'UUID', value: (r) => r.uuid },
        { header: 'Name', value: (r) => r.name },
        { header: 'Note', value: (r) => r.note },
      ]),
    );
    expect(text).toBe('UUID,Name,Note\r\n555000000001,"Smith, Jo ""JJ""","two\nlines"\r\n');
  });

  it('REP-01 cells starting with = + - @ (or a tab) are escaped so spreadsheets never run them', () => {
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('+44 7700 900000')).toBe("'+44 7700 900000");
    expect(csvCell('-cmd')).toBe("'-cmd");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\t=x')).toBe("'\t=x");
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell(-3)).toBe('-3'); // numbers stay numbers
    expect(csvRecord([null, undefined, true, 1.5])).toBe(',,true,1.5');
  });

  it('REP-01 any text round-trips through an independent RFC 4180 reader, and no cell reads as a formula', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.array(fc.string({ unit: 'grapheme-composite' }), { minLength: 1, maxLength: 5 }),
          { maxLength: 5 },
        ),
        (cells) => {
          const width = Math.max(1, ...cells.map((r) => r.length));
          const rows = cells.map((r) => Array.from({ length: width }, (_, i) => r[i] ?? ''));
          const text = rows.map((r) => `${csvRecord(r)}\r\n`).join('');
          const back = parseCsv(text);
          expect(back).toHaveLength(rows.length);
          back.forEach((record, i) => {
            record.forEach((cell, j) => {
              const original = rows[i]![j]!;
              expect(/^[=+\-@\t\r]/.test(cell)).toBe(false);
              expect(cell).toBe(/^[=+\-@\t\r]/.test(original) ? `'${original}` : original);
            });
          });
        },
      ),
    );
  });

  it('REP-01 streams a 1,000,000-row export: rows are pulled only as chunks are written', async () => {
    let produced = 0;
    async function* rows() {
      for (let i = 0; i < 1_000_000; i++) {
        produced++;
        yield { uuid: String(555_000_000_000 + i), expires: '2027-01-01' };
      }
    }
    const pulledBeforeChunk: number[] = [];
    let bytes = 0;
    let records = 0;
    for await (const chunk of csvStream(rows(), [
      { header: 'UUID', value: (r) => r.uuid },
      { header: 'Expires', value: (r) => r.expires },
    ])) {
      pulledBeforeChunk.push(produced);
      bytes += chunk.length;
      records += chunk.split('\r\n').length - 1;
    }
    expect(records).toBe(1_000_001);
    expect(bytes).toBe(
      'UUID,Expires\r\n'.length + 1_000_000 * '555000000000,2027-01-01\r\n'.length,
    );
    // A 64 KiB chunk holds ~2,600 of these records: the first chunk came before row 3,000.
    expect(pulledBeforeChunk[0]).toBeLessThan(3_000);
    expect(pulledBeforeChunk.length).toBeGreaterThan(300);
  });

  it('a CSV without columns is a ValidationError, not an empty file', async () => {
    await expect(collect(csvStream([1], []))).rejects.toMatchObject({ code: 'VALIDATION' });
  });
});
