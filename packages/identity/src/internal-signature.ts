import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The router is the only caller a subgraph trusts. It tells a subgraph who the caller is in these
 * headers and signs them, with the request body and a timestamp, using a secret only the router and the
 * subgraphs hold. A subgraph refuses any request whose signature is missing, wrong or stale, so a client
 * that reaches a subgraph directly can neither call it nor claim an identity.
 */
export const IDENTITY_HEADERS = {
  userId: 'x-supergraph-user-id',
  role: 'x-supergraph-user-role',
  timestamp: 'x-supergraph-timestamp',
  signature: 'x-supergraph-signature',
} as const;

export type Role = 'CUSTOMER' | 'ADMIN';

export interface Identity {
  userId: string;
  role: Role;
}

const ROLES: readonly string[] = ['CUSTOMER', 'ADMIN'] satisfies Role[];
const DEFAULT_MAX_SKEW_SECONDS = 60;

interface SignedParts {
  identity: Identity | null;
  timestamp: string;
  /** The URL's query string (GET requests carry the operation there) and the raw body. */
  search: string;
  body: string;
}

function signature(secret: string, parts: SignedParts): string {
  const content = createHash('sha256').update(parts.search).update('\n').update(parts.body).digest('hex');
  return createHmac('sha256', secret)
    .update(
      ['v1', parts.timestamp, parts.identity?.userId ?? '', parts.identity?.role ?? '', content].join('\n'),
    )
    .digest('hex');
}

/** Headers to add to a request from the router to a subgraph. Anonymous callers are signed too. */
export function signInternalRequest(
  secret: string,
  request: { identity: Identity | null; search?: string; body: string; now?: Date },
): Record<string, string> {
  const timestamp = String(Math.floor((request.now ?? new Date()).getTime() / 1000));
  const headers: Record<string, string> = {
    [IDENTITY_HEADERS.timestamp]: timestamp,
    [IDENTITY_HEADERS.signature]: signature(secret, {
      identity: request.identity,
      timestamp,
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

export type VerifyResult = { ok: true; identity: Identity | null } | { ok: false; reason: string };

type HeaderSource = (name: string) => string | undefined;

/** Checks a request a subgraph received; `header` reads one header by its lower-case name. */
export function verifyInternalRequest(
  secret: string,
  request: { header: HeaderSource; search?: string; body: string; now?: Date; maxSkewSeconds?: number },
): VerifyResult {
  const given = request.header(IDENTITY_HEADERS.signature);
  const timestamp = request.header(IDENTITY_HEADERS.timestamp);
  if (!given || !timestamp) return { ok: false, reason: 'missing internal signature' };
  if (!/^\d+$/.test(timestamp)) return { ok: false, reason: 'malformed internal timestamp' };
  const age = Math.abs((request.now ?? new Date()).getTime() / 1000 - Number(timestamp));
  if (age > (request.maxSkewSeconds ?? DEFAULT_MAX_SKEW_SECONDS)) {
    return { ok: false, reason: 'stale internal signature' };
  }

  const userId = request.header(IDENTITY_HEADERS.userId);
  const role = request.header(IDENTITY_HEADERS.role);
  let identity: Identity | null = null;
  if (userId || role) {
    if (!userId || !role || !ROLES.includes(role)) return { ok: false, reason: 'malformed identity headers' };
    identity = { userId, role: role as Role };
  }

  const expected = Buffer.from(
    signature(secret, { identity, timestamp, search: request.search ?? '', body: request.body }),
    'hex',
  );
  const actual = Buffer.from(given, 'hex');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    return { ok: false, reason: 'invalid internal signature' };
  }
  return { ok: true, identity };
}
