import { z } from 'zod';
import { ValidationError } from '../../errors/validation-error.js';

/** A cell value a report row may hold. */
export type CsvValue = string | number | boolean | null | undefined | Date;

/** One column of a CSV export: its header and how to read it from a row. */
export interface CsvColumn<Row> {
  /** The column's name in the header row. */
  readonly header: string;
  /** Reads the column's cell from a row. */
  readonly value: (row: Row) => CsvValue;
}

// OWASP "CSV injection": a cell a spreadsheet would read as a formula starts with one of these.
const FORMULA_START = /^[=+\-@\t\r]/;
// RFC 4180 §2.6: fields holding a quote, a comma or a line break are enclosed in quotes.
const NEEDS_QUOTES = /[",\r\n]/;
/** RFC 4180 §2.1: records end with CRLF. */
export const CSV_LINE_END = '\r\n';

/**
 * One cell as RFC 4180 writes it, made safe for spreadsheets: text that starts with `=`,
 * `+`, `-`, `@`, a tab or a carriage return is prefixed with `'` so no spreadsheet runs it
 * as a formula (numbers are written as numbers, negative ones included).
 *
 * @example
 * ```ts
 * csvCell('=HYPERLINK("x")') // `"'=HYPERLINK(""x"")"`
 * ```
 */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  let text = value instanceof Date ? value.toISOString() : value;
  if (FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * One CSV record (no line end).
 *
 * @example
 * ```ts
 * csvRecord(['a', 1, null]) // 'a,1,'
 * ```
 */
export function csvRecord(values: readonly CsvValue[]): string {
  return values.map(csvCell).join(',');
}

const columnsSchema = z
  .array(z.object({ header: z.string().min(1, { message: 'a column needs a header' }) }).loose())
  .min(1, { message: 'a CSV export needs at least one column' });

/**
 * Streams rows as RFC 4180 CSV: a header row, then one record per row, CRLF line ends.
 * Rows are read one at a time from any (async) iterable, so an export of a million rows
 * never holds them all in memory; chunks of about `chunkSize` characters are yielded.
 *
 * @throws VALIDATION when there are no columns or a column has no header.
 * @example
 * ```ts
 * for await (const chunk of csvStream(rows, [{ header: 'UUID', value: (r) => r.uuid }])) out.write(chunk);
 * ```
 */
export async function* csvStream<Row>(
  rows: AsyncIterable<Row> | Iterable<Row>,
  columns: readonly CsvColumn<Row>[],
  options: { readonly chunkSize?: number } = {},
): AsyncGenerator<string, void, undefined> {
  const parsed = columnsSchema.safeParse(columns);
  if (!parsed.success) throw ValidationError.fromZod('CSV columns', parsed.error);
  const chunkSize = options.chunkSize ?? 64 * 1024;
  let chunk = csvRecord(columns.map((c) => c.header)) + CSV_LINE_END;
  for await (const row of rows) {
    chunk += csvRecord(columns.map((c) => c.value(row))) + CSV_LINE_END;
    if (chunk.length >= chunkSize) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}
