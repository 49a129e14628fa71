import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { esrFeedItemSchema } from '../../src/ra/index.js';

describe('the documented ESR feed shape (docs/requests.md)', () => {
  it('REQ-01 every example record in the docs is valid, and a record with an unknown field is not', () => {
    const doc = readFileSync(new URL('../../docs/requests.md', import.meta.url), 'utf8');
    const example = doc.split('```json')[1]?.split('```')[0];
    const records = JSON.parse(example ?? '[]') as unknown[];
    expect(records.length).toBe(3);
    for (const record of records) expect(esrFeedItemSchema.safeParse(record).success).toBe(true);
    const extra = { ...(records[0] as object), payGrade: 'Band 5' };
    expect(esrFeedItemSchema.safeParse(extra).success).toBe(false);
  });
});
