import { describe, expect, it } from 'vitest';
import { httpStatusOf } from '../../src/http/index.js';

describe('careid/http: one fixed HTTP status per careid error code', () => {
  it('maps the codes a front end meets to their statuses, and every code to a 4xx or 5xx', () => {
    expect(httpStatusOf).toMatchObject({
      VALIDATION: 400,
      UNAUTHENTICATED: 401,
      POLICY_DENIED: 403,
      NOT_FOUND: 404,
      ROUTE_NOT_FOUND: 404,
      METHOD_NOT_ALLOWED: 405,
      CONFLICT: 409,
      DUPLICATE: 409,
      INVALID_TRANSITION: 409,
      BODY_TOO_LARGE: 413,
      UNSUPPORTED_MEDIA_TYPE: 415,
      INTERNAL: 500,
      STORE_UNAVAILABLE: 503,
    });
    for (const [code, status] of Object.entries(httpStatusOf)) {
      expect(status >= 400 && status <= 599, code).toBe(true);
    }
  });
});
