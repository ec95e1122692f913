import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

/**
 * The router is the only caller a subgraph trusts. It tells a subgraph who the caller is in these
 * headers and signs them, with the request body, a timestamp and a nonce, using a secret only the router
 * and the subgraphs hold. A subgraph refuses any request whose signature is missing, wrong or stale, so a
 * client that reaches a subgraph directly can neither call it nor claim an identity; and it refuses a
 * nonce it has already accepted, so a signed request someone captured cannot be sent again.
 */
export const IDENTITY_HEADERS = {
  userId: 'x-supergraph-user-id',
  role: 'x-supergraph-user-role',
  timestamp: 'x-supergraph-timestamp',
  nonce: 'x-supergraph-nonce',
  signature: 'x-supergraph-signature',
} as const;

export type Role = 'CUSTOMER' | 'ADMIN';

export interface Identity {
  userId: string;
  role: Role;
}

const ROLES: readonly string[] = ['CUSTOMER', 'ADMIN'] satisfies Role[];
const DEFAULT_MAX_SKEW_SECONDS = 60;
// A random UUID from the signer; the bound keeps what a receiver stores (a Redis key) small.
const NONCE = /^[A-Za-z0-9_-]{16,64}$/;
// v2 added the nonce: a v1 signature, which has none, no longer verifies.
const VERSION = 'v2';

interface SignedParts {
  identity: Identity | null;
  timestamp: string;
  nonce: string;
  /** The URL's query string (GET requests carry the operation there) and the raw body. */
  search: string;
  body: string;
}

function signature(secret: string, parts: SignedParts): string {
  const content = createHash('sha256').update(parts.search).update('\n').update(parts.body).digest('hex');
  return createHmac('sha256', secret)
    .update(
      [
        VERSION,
        parts.timestamp,
        parts.nonce,
        parts.identity?.userId ?? '',
        parts.identity?.role ?? '',
        content,
      ].join('\n'),
    )
    .digest('hex');
}

/**
 * Headers to add to one request from the router to a subgraph. Anonymous callers are signed too. Each
 * call makes a new nonce, so the headers are good for one request only: sign every request sent.
 */
export function signInternalRequest(
  secret: string,
  request: { identity: Identity | null; search?: string; body: string; now?: Date },
): Record<string, string> {
  const timestamp = String(Math.floor((request.now ?? new Date()).getTime() / 1000));
  const nonce = randomUUID();
  const headers: Record<string, string> = {
    [IDENTITY_HEADERS.timestamp]: timestamp,
    [IDENTITY_HEADERS.nonce]: nonce,
    [IDENTITY_HEADERS.signature]: signature(secret, {
      identity: request.identity,
      timestamp,
      nonce,
      search: request.search ?? '',
      body: request.body,
    }),
  };
  if (request.identity) {
    headers[IDENTITY_HEADERS.userId] = request.identity.userId;
    headers[IDENTITY_HEADERS.role] = request.identity.role;
  }
  return headers;
}

export type VerifyResult =
  | {
      ok: true;
      identity: Identity | null;
      /** The request's nonce: the receiver accepts it once (see `rememberForMs`). */
      nonce: string;
      /**
       * How long the receiver must remember the nonce to refuse the request sent again: as long as any
       * receiver could still find the timestamp within the allowed skew, whichever side of it its clock
       * is on, so twice the skew.
       */
      rememberForMs: number;
    }
  | { ok: false; reason: string };

type HeaderSource = (name: string) => string | undefined;

/**
 * Checks a request a subgraph received; `header` reads one header by its lower-case name. It does not
 * know which nonces were already used: the caller claims `nonce` in its nonce store once this says ok.
 */
export function verifyInternalRequest(
  secret: string,
  request: { header: HeaderSource; search?: string; body: string; now?: Date; maxSkewSeconds?: number },
): VerifyResult {
  const given = request.header(IDENTITY_HEADERS.signature);
  const timestamp = request.header(IDENTITY_HEADERS.timestamp);
  if (!given || !timestamp) return { ok: false, reason: 'missing internal signature' };
  if (!/^\d+$/.test(timestamp)) return { ok: false, reason: 'malformed internal timestamp' };
  const nonce = request.header(IDENTITY_HEADERS.nonce);
  if (!nonce) return { ok: false, reason: 'missing internal nonce' };
  if (!NONCE.test(nonce)) return { ok: false, reason: 'malformed internal nonce' };
  const maxSkewSeconds = request.maxSkewSeconds ?? DEFAULT_MAX_SKEW_SECONDS;
  const age = Math.abs((request.now ?? new Date()).getTime() / 1000 - Number(timestamp));
  if (age > maxSkewSeconds) return { ok: false, reason: 'stale internal signature' };

  const userId = request.header(IDENTITY_HEADERS.userId);
  const role = request.header(IDENTITY_HEADERS.role);
  let identity: Identity | null = null;
  if (userId || role) {
    if (!userId || !role || !ROLES.includes(role)) return { ok: false, reason: 'malformed identity headers' };
    identity = { userId, role: role as Role };
  }

  const expected = Buffer.from(
    signature(secret, { identity, timestamp, nonce, search: request.search ?? '', body: request.body }),
    'hex',
  );
  const actual = Buffer.from(given, 'hex');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    return { ok: false, reason: 'invalid internal signature' };
  }
  return { ok: true, identity, nonce, rememberForMs: 2 * maxSkewSeconds * 1000 };
}
