import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { IDENTITY_HEADERS, signInternalRequest, verifyInternalRequest } from './internal-signature.ts';

const secret = 'a-secret-that-is-long-enough-for-hmac-0001';
const body = '{"query":"{ me { id } }"}';
const identity = { userId: 'u-1', role: 'CUSTOMER' as const };

function reader(headers: Record<string, string>) {
  return (name: string) => headers[name];
}

describe('internal request signature', () => {
  it('accepts a request the router signed and returns the caller and its nonce', () => {
    const headers = signInternalRequest(secret, { identity, body });
    expect(verifyInternalRequest(secret, { header: reader(headers), body })).toEqual({
      ok: true,
      identity,
      nonce: headers[IDENTITY_HEADERS.nonce],
      rememberForMs: 120_000,
    });
  });

  it('accepts a signed anonymous request with no identity', () => {
    const headers = signInternalRequest(secret, { identity: null, body });
    expect(verifyInternalRequest(secret, { header: reader(headers), body })).toMatchObject({
      ok: true,
      identity: null,
    });
  });

  it('gives every signed request a nonce of its own, even the same request signed twice', () => {
    const nonces = Array.from(
      { length: 100 },
      () => signInternalRequest(secret, { identity, body, now: new Date(0) })[IDENTITY_HEADERS.nonce],
    );
    expect(nonces[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(nonces).size).toBe(100);
  });

  it('asks the receiver to remember a nonce for the whole window on either side of the timestamp', () => {
    const headers = signInternalRequest(secret, { identity, body });
    expect(
      verifyInternalRequest(secret, { header: reader(headers), body, maxSkewSeconds: 30 }),
    ).toMatchObject({ ok: true, rememberForMs: 60_000 });
  });

  it('refuses a signed request without its nonce', () => {
    const { [IDENTITY_HEADERS.nonce]: _nonce, ...headers } = signInternalRequest(secret, { identity, body });
    expect(verifyInternalRequest(secret, { header: reader(headers), body })).toEqual({
      ok: false,
      reason: 'missing internal nonce',
    });
  });

  it('refuses a nonce that is not one a signer makes', () => {
    const headers = signInternalRequest(secret, { identity, body });
    for (const nonce of ['short', 'x'.repeat(65), 'has spaces in it, not allowed']) {
      headers[IDENTITY_HEADERS.nonce] = nonce;
      expect(verifyInternalRequest(secret, { header: reader(headers), body })).toEqual({
        ok: false,
        reason: 'malformed internal nonce',
      });
    }
  });

  it('refuses a nonce a caller swapped in after signing, so a replay cannot pass for a new request', () => {
    const headers = signInternalRequest(secret, { identity, body });
    headers[IDENTITY_HEADERS.nonce] = signInternalRequest(secret, { identity, body })[
      IDENTITY_HEADERS.nonce
    ]!;
    expect(verifyInternalRequest(secret, { header: reader(headers), body })).toEqual({
      ok: false,
      reason: 'invalid internal signature',
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

  it('refuses a signature made under the first version, which had no nonce', () => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const content = createHash('sha256').update('').update('\n').update(body).digest('hex');
    const v1 = createHmac('sha256', secret)
      .update(['v1', timestamp, identity.userId, identity.role, content].join('\n'))
      .digest('hex');
    const headers = {
      [IDENTITY_HEADERS.timestamp]: timestamp,
      [IDENTITY_HEADERS.signature]: v1,
      [IDENTITY_HEADERS.userId]: identity.userId,
      [IDENTITY_HEADERS.role]: identity.role,
    };
    expect(verifyInternalRequest(secret, { header: reader(headers), body })).toEqual({
      ok: false,
      reason: 'missing internal nonce',
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
