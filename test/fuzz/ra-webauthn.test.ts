import { describe, it } from 'vitest';
import { fuzzEntryPoint } from './ra-entry-points.js';
import { raGroups } from './ra-groups.js';
import { CASES_PER_ENTRY_POINT } from './support.js';

describe('AUD-01 issue 13: any JavaScript value at the RA`s WebAuthn entry points', () => {
  it.each(raGroups.webauthn)(
    `AUD-01 %s: ${CASES_PER_ENTRY_POINT} generated calls, a value or a CareIdError only, nothing written when refused, bounded audit records, the chain verifies`,
    (path) => fuzzEntryPoint(path),
    300_000,
  );
});
