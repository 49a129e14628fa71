/**
 * Crash safety on SQLite (issue 13): the RA process SIGKILLed at every APDU of issue,
 * renew, repair, clear, replace and unlock, before and after the card answers; the
 * restarted host reconciles, finds store, CA, vault and card agreeing, and runs the
 * operation again to completion. See harness.ts.
 */
import { crashSuite } from './suite.js';

crashSuite('SQLite', () => ({ adapter: 'sqlite', location: '' }), undefined);
