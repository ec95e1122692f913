import { describe, expect, it } from '@jest/globals';
import { IDENTITY_HEADERS, signInternalRequest, verifyInternalRequest } from './internal-signature.ts';

const secret = 'a-secret-that-is-long-enough-for-hmac-0001';
const body = '{"query":"{ me { id } }"}';
const identity = { userId: 'u-1', role: 'CUSTOMER' as const };

function reader(headers: Record<string, string>) {
  return (name: string) => headers[name];
}

describe('internal request signature', () => {
  it('accepts a request the router signed and returns the caller', () => {
    const headers = signInternalRequest(secret, { identity, body });
    expect(verifyInternalRequest(secret, { header: reader(headers), body })).toEqual({ ok: true, identity });
  });

  it('accepts a signed anonymous request with no identity', () => {
    const headers = signInternalRequest(secret, { identity: null, body });
    expect(verifyInternalRequest(secret, { header: reader(headers), body })).toEqual({
      ok: true,
      identity: null,
    });
  });

  it('refuses a request with no signature', () => {
    expect(verifyInternalRequest(secret, { header: reader({}), body })).toEqual({
      ok: false,
      reason: 'missing internal signature',
    });
  });

  it('refuses a request signed with another secret', () => {
    const headers = signInternalRequest('another-secret-that-is-long-enough-00000', { identity, body });
    expect(verifyInternalRequest(secret, { header: reader(headers), body })).toMatchObject({ ok: false });
  });

  it('refuses an identity a caller swapped in after signing', () => {
    const headers = signInternalRequest(secret, { identity, body });
    headers[IDENTITY_HEADERS.role] = 'ADMIN';
    expect(verifyInternalRequest(secret, { header: reader(headers), body })).toEqual({
      ok: false,
      reason: 'invalid internal signature',
    });
  });

  it('refuses a signature replayed with another body', () => {
    const headers = signInternalRequest(secret, { identity, body });
    const other = '{"query":"{ user(id: \\"u-2\\") { email } }"}';
    expect(verifyInternalRequest(secret, { header: reader(headers), body: other })).toMatchObject({
      ok: false,
    });
  });

  it('refuses a stale signature', () => {
    const headers = signInternalRequest(secret, { identity, body, now: new Date(Date.now() - 5 * 60_000) });
    expect(verifyInternalRequest(secret, { header: reader(headers), body })).toEqual({
      ok: false,
      reason: 'stale internal signature',
    });
  });
});
