import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import type { SubgraphServer } from '@supergraph/server-kit';
import { SERVICE_ATTRIBUTE, SpanKind } from '@supergraph/telemetry';
import { startTelemetry, type Telemetry } from '@supergraph/telemetry/sdk';
import { eventually } from '@supergraph/testing';
import { startRouter, type Router, type RouterOverrides } from '../src/app.ts';
import {
  LIBRARY_TYPE_DEFS,
  RAW_TYPE_DEFS,
  startLibrarySubgraph,
  startRawSubgraph,
  type RawAnswer,
  type RawSubgraph,
} from './support/equivalence-subgraphs.ts';
import { startJwksServer, type JwksServer } from './support/jwks-server.ts';
import { routerTestEnv } from './support/router-env.ts';
import { composeSupergraph, createSupergraphFile, type SupergraphFile } from './support/supergraph.ts';

// Operations one subgraph answers alone run without the gateway's executor (single-fetch-gateway.ts). Each case here goes to a router without it and to one with it, once the second
// has seen the operation (the gateway plans it first): the two HTTP answers must be the same bytes
// (status, headers in order, body), and the request must leave the same metrics and the same spans of
// the router's own. Cases that must be left to Apollo and the gateway's executor are checked to be.

const spans = new InMemorySpanExporter();
let telemetry: Telemetry;
let jwks: JwksServer;
let library: SubgraphServer;
let raw: RawSubgraph;
let supergraph: SupergraphFile;
const routers: Router[] = [];

const HIGH = String(1_000_000);

async function startPair(vars: Record<string, string> = {}): Promise<{ gateway: Router; fast: Router }> {
  const start = (overrides: RouterOverrides) =>
    startRouter(
      routerTestEnv({
        SUPERGRAPH_PATH: supergraph.path,
        JWKS_URL: jwks.url,
        RATE_LIMIT_QUERIES_PER_MINUTE: HIGH,
        RATE_LIMIT_MUTATIONS_PER_MINUTE: HIGH,
        RATE_LIMIT_KEY_PREFIX: `test:rate-limit:${randomUUID()}`,
        ...vars,
      }),
      overrides,
    );
  const gateway = await start({ singleFetch: false });
  routers.push(gateway);
  const fast = await start({});
  routers.push(fast);
  return { gateway, fast };
}

beforeAll(async () => {
  telemetry = await startTelemetry({
    serviceName: 'router',
    spanProcessors: [new SimpleSpanProcessor({ exporter: spans })],
    instrument: false,
  });
  jwks = await startJwksServer();
  library = await startLibrarySubgraph();
  raw = await startRawSubgraph();
  supergraph = createSupergraphFile(
    composeSupergraph([
      { name: 'library', url: library.url, typeDefs: LIBRARY_TYPE_DEFS },
      { name: 'raw', url: raw.url, typeDefs: RAW_TYPE_DEFS },
    ]),
  );
}, 60_000);

afterAll(async () => {
  for (const router of routers) await router.stop();
  await library?.stop();
  await raw?.stop();
  await jwks?.stop();
  supergraph?.remove();
  await telemetry?.shutdown();
});

interface Case {
  name: string;
  /** The JSON body; `query` and friends unless the case is about the body itself. */
  body: unknown;
  headers?: Record<string, string>;
  /** Sign in as this role. */
  role?: 'CUSTOMER' | 'ADMIN';
  /** What the raw subgraph answers. */
  raw?: RawAnswer;
  /** Whether it is run as a single fetch (or left to Apollo and the gateway's executor). */
  single: boolean;
}

interface HttpAnswer {
  status: number;
  /** Every header but Date, in the order sent. */
  headers: string[];
  body: string;
}

async function send(router: Router, testCase: Case): Promise<HttpAnswer> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-request-id': 'equivalence',
    ...testCase.headers,
  };
  if (testCase.role)
    headers.authorization = `Bearer ${await jwks.sign(`user-${testCase.role}`, testCase.role)}`;
  const body = typeof testCase.body === 'string' ? testCase.body : JSON.stringify(testCase.body);
  return new Promise((resolve, reject) => {
    const req = request(`${router.url}graphql`, { method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        const raw = res.rawHeaders;
        const kept: string[] = [];
        for (let i = 0; i < raw.length; i += 2) {
          if (raw[i]!.toLowerCase() !== 'date') kept.push(`${raw[i]!.toLowerCase()}: ${raw[i + 1]!}`);
        }
        resolve({ status: res.statusCode ?? 0, headers: kept, body: text });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const SERIES = [
  'graphql_operation_duration_seconds_count',
  'graphql_errors_total',
  'rate_limit_rejections_total',
];

/** The request-level series of the router's /metrics, by name and labels. */
async function series(router: Router): Promise<Map<string, number>> {
  const text = await (await fetch(`${router.url}metrics`)).text();
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (SERIES.some((name) => line.startsWith(`${name}{`))) {
      const at = line.lastIndexOf(' ');
      values.set(line.slice(0, at), Number(line.slice(at + 1)));
    }
  }
  return values;
}

function delta(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const changed: Record<string, number> = {};
  for (const [key, value] of after)
    if (value !== (before.get(key) ?? 0)) changed[key] = value - (before.get(key) ?? 0);
  return changed;
}

async function singleFetchServed(router: Router): Promise<number> {
  const text = await (await fetch(`${router.url}metrics`)).text();
  const line = text.split('\n').find((entry) => entry.startsWith('router_single_fetch_operations_total{'));
  return Number(line?.split(' ').at(-1) ?? 0);
}

const isRouterSpan = (span: ReadableSpan) => span.attributes[SERVICE_ATTRIBUTE] === 'router';

/**
 * The router's own spans of one request, as a trace view lists them: its request span and its subgraph
 * calls. The gateway's spans of its internals (planning, execution) are the gateway's alone.
 */
function describeSpans(found: ReadableSpan[]): string[] {
  return found.filter(isRouterSpan).map((span) => {
    const { attributes } = span;
    const shown = Object.keys(attributes)
      .sort()
      .map((key) => `${key}=${JSON.stringify(attributes[key])}`);
    return `${span.kind} ${span.name} ${span.status.code} ${shown.join(' ')} events=${span.events.length}`;
  });
}

interface Observed {
  answer: HttpAnswer;
  metrics: Record<string, number>;
  spans: string[];
}

async function observe(router: Router, testCase: Case): Promise<Observed> {
  spans.reset();
  const before = await series(router);
  const answer = await send(router, testCase);
  // The request's span, the last of the router's to end, ends just after its answer is written.
  const found = await eventually(async () => {
    const finished = spans.getFinishedSpans();
    return finished.some((span) => isRouterSpan(span) && span.kind === SpanKind.SERVER)
      ? finished
      : undefined;
  });
  return { answer, metrics: delta(before, await series(router)), spans: describeSpans(found) };
}

async function compare(pair: { gateway: Router; fast: Router }, testCase: Case): Promise<void> {
  raw.answer = testCase.raw ?? RAW_OK;
  // The gateway plans it once, which is when the router learns it is one fetch.
  await observe(pair.fast, testCase);
  const expected = await observe(pair.gateway, testCase);
  const servedBefore = await singleFetchServed(pair.fast);
  const actual = await observe(pair.fast, testCase);
  expect(actual).toEqual(expected);
  expect((await singleFetchServed(pair.fast)) - servedBefore).toBe(testCase.single ? 1 : 0);
}

const json = (body: unknown, headers: Record<string, string> = {}): RawAnswer => ({
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});
const RAW_OK = json({
  data: { raw: { id: 'r1', name: 'one', kind: 'ALPHA', count: 1, ratio: 0.5, flag: true } },
});
const RAW_FIELDS = 'id name kind count ratio flag';

const q = (query: string, variables?: Record<string, unknown>, operationName?: string) => ({
  query,
  ...(variables ? { variables } : {}),
  ...(operationName ? { operationName } : {}),
});

const LIBRARY_CASES: Case[] = [
  {
    name: 'a lookup with a variable',
    body: q('query Book($id: ID!) { book(id: $id) { id title genre pages rating } }', { id: '1' }),
    single: true,
  },
  {
    name: 'a lookup of nothing',
    body: q('query Book($id: ID!) { book(id: $id) { id title } }', { id: '99' }),
    single: true,
  },
  { name: 'nulls in nullable fields', body: q('{ book(id: "2") { id pages rating tags } }'), single: true },
  {
    name: 'aliases, the same field twice and repeated selections',
    body: q('{ a: book(id: "1") { t: title id title } b: book(id: "3") { title g: genre t2: title } }'),
    single: true,
  },
  {
    name: 'named and inline fragments',
    body: q(
      'query Shelf { books(first: 2) { ...Parts author { ... on Author { name } } ... on Book { pages } } } fragment Parts on Book { id title tags }',
    ),
    single: true,
  },
  {
    name: '__typename at every level, aliased too',
    body: q(
      '{ __typename t: __typename book(id: "1") { __typename id author { __typename name kind: __typename } } }',
    ),
    single: true,
  },
  {
    name: 'a union',
    body: q('{ search(text: "a") { __typename ... on Book { id title } ... on Author { name } } }'),
    single: true,
  },
  {
    name: 'an interface, by type',
    body: q(
      'query Node($id: ID!) { node(id: $id) { id ... on Book { title genre } ... on Author { name } } }',
      { id: 'a2' },
    ),
    single: true,
  },
  {
    name: 'an enum argument from a variable',
    body: q('query ByGenre($genre: Genre) { books(genre: $genre) { title genre } }', { genre: 'HISTORY' }),
    single: true,
  },
  {
    name: 'a null variable and an absent one',
    body: q('query ByGenre($genre: Genre, $first: Int) { books(genre: $genre, first: $first) { id } }', {
      genre: null,
    }),
    single: true,
  },
  {
    name: 'a variable default',
    body: q('query Few($first: Int = 1) { books(first: $first) { id } }'),
    single: true,
  },
  {
    name: 'an input object with a default field',
    body: q('query Echo($input: EchoInput!) { echo(input: $input) }', {
      input: { text: 'ab', genre: 'FICTION' },
    }),
    single: true,
  },
  {
    name: '@include and @skip on nested fields, from variables',
    body: q(
      'query Parts($author: Boolean!, $tags: Boolean!) { book(id: "1") { title author @include(if: $author) { name } tags @skip(if: $tags) pages @include(if: true) } }',
      { author: false, tags: true },
    ),
    single: true,
  },
  {
    name: '@include and @skip the other way',
    body: q(
      'query Parts($author: Boolean!, $tags: Boolean!) { book(id: "1") { title author @include(if: $author) { name } tags @skip(if: $tags) pages @include(if: true) } }',
      { author: true, tags: false },
    ),
    single: true,
  },
  {
    name: 'several root fields of one subgraph',
    body: q('{ book(id: "4") { title } books(first: 1) { id } echo(input: { text: "x" }) }'),
    single: true,
  },
  {
    name: 'the operation named among several',
    body: q(
      'query First { book(id: "1") { id } } query Second { book(id: "2") { title } }',
      undefined,
      'Second',
    ),
    single: true,
  },
  { name: 'a domain error', body: q('{ missing { id } book(id: "1") { id } }'), single: true },
  { name: 'a masked internal error', body: q('query Crash { crash }'), single: true },
  { name: 'an error inside a list, its item nulled', body: q('{ shelf { id title } }'), single: true },
  {
    name: 'the caller the router vouches for',
    body: q('{ caller { userId role } }'),
    role: 'CUSTOMER',
    single: true,
  },
  { name: 'an anonymous caller', body: q('{ caller { userId } }'), single: true },
  {
    name: 'a mutation',
    body: q('mutation Rename($id: ID!, $title: String!) { rename(id: $id, title: $title) { id title } }', {
      id: '3',
      title: 'Maps',
    }),
    role: 'ADMIN',
    single: true,
  },
  { name: 'a refused mutation', body: q('mutation { refuse }'), role: 'ADMIN', single: true },
  {
    name: 'a mutation of a missing book',
    body: q('mutation { rename(id: "9", title: "x") { id } }'),
    single: true,
  },
  {
    name: 'extensions that ask for nothing',
    body: { ...q('{ book(id: "1") { id } }'), extensions: { clientLibrary: { name: 'x' } } },
    single: true,
  },
  {
    name: 'Accept: application/graphql-response+json',
    body: q('{ book(id: "1") { title } }'),
    headers: { accept: 'application/graphql-response+json' },
    single: true,
  },
  {
    name: "Apollo Client's Accept",
    body: q('{ book(id: "1") { title } }'),
    headers: { accept: 'application/graphql-response+json,application/json;q=0.9' },
    single: true,
  },
  { name: 'Accept: */*', body: q('{ book(id: "2") { title } }'), headers: { accept: '*/*' }, single: true },
  // Apollo runs the operation before it finds it has no type to answer it in (406), as with the gateway.
  {
    name: 'an Accept Apollo cannot answer',
    body: q('{ book(id: "1") { id } }'),
    headers: { accept: 'text/csv' },
    single: true,
  },
  {
    name: 'a proxied client',
    body: q('{ book(id: "1") { id } }'),
    headers: { 'x-forwarded-for': '203.0.113.9' },
    single: true,
  },
  // Left to Apollo and the gateway.
  {
    name: 'a variable of the wrong type',
    body: q('query Book($id: ID!) { book(id: $id) { id } }', { id: { no: 1 } }),
    single: false,
  },
  {
    name: 'a missing required variable',
    body: q('query Book($id: ID!) { book(id: $id) { id } }', {}),
    single: false,
  },
  {
    name: 'an enum value that does not exist, in an input object',
    body: q('query Echo($input: EchoInput!) { echo(input: $input) }', {
      input: { text: 'a', genre: 'POETRY' },
    }),
    single: false,
  },
  {
    name: 'a root field under @include with a variable',
    body: q('query R($on: Boolean!) { book(id: "1") @include(if: $on) { id } }', { on: true }),
    single: false,
  },
  { name: 'two subgraphs', body: q('{ book(id: "1") { id } raw { id } }'), single: false },
  { name: 'only __typename', body: q('{ __typename }'), single: false },
  {
    name: 'introspection beside a fetch',
    body: q('{ __type(name: "Book") { name } book(id: "1") { id } }'),
    single: false,
  },
  { name: 'an @inaccessible field', body: q('{ book(id: "1") { code } }'), single: false },
  { name: 'a document that does not parse', body: q('{ book(id: "1") { id }'), single: false },
  {
    name: 'an unknown operation name',
    body: q('query A { book(id: "1") { id } }', undefined, 'B'),
    single: false,
  },
  {
    name: 'an automatic persisted query',
    body: {
      ...q('{ book(id: "1") { id } }'),
      extensions: { persistedQuery: { version: 1, sha256Hash: 'x' } },
    },
    single: false,
  },
  { name: 'a batch', body: [q('{ book(id: "1") { id } }')], single: false },
  {
    name: 'variables as a string',
    body: { query: '{ book(id: "1") { id } }', variables: '{}' },
    single: false,
  },
  {
    name: 'a form post',
    body: q('{ book(id: "1") { id } }'),
    headers: { 'content-type': 'text/plain' },
    single: false,
  },
];

const rawCase = (name: string, query: string, answer: RawAnswer, single = true): Case => ({
  name,
  body: q(query),
  raw: answer,
  single,
});

const RAW_CASES: Case[] = [
  rawCase(
    'extra fields, shuffled',
    `{ raw { ${RAW_FIELDS} } }`,
    json({
      data: {
        raw: {
          flag: false,
          secret: 's',
          ratio: 1,
          id: 'r',
          kind: 'BETA',
          count: null,
          name: 'n',
          more: { a: 1 },
        },
      },
    }),
  ),
  rawCase(
    'a missing field',
    `{ raw { ${RAW_FIELDS} } }`,
    json({ data: { raw: { id: 'r', name: 'n', flag: true } } }),
  ),
  rawCase(
    'null in a non-null field, bubbling',
    `{ raw { id name child { id name } } count }`,
    json({ data: { raw: { id: 'r', name: null, child: null }, count: 3 } }),
  ),
  rawCase(
    'null in a nested non-null field',
    `{ raw { id child { id name flag } } }`,
    json({ data: { raw: { id: 'r', child: { id: 'c', name: 'c', flag: null } } } }),
  ),
  rawCase(
    'null for a non-null root field',
    '{ rawRequired { id } count }',
    json({ data: { rawRequired: null, count: 1 } }),
  ),
  rawCase(
    'an enum value that does not exist',
    '{ raw { id kind } }',
    json({ data: { raw: { id: 'r', kind: 'GAMMA' } } }),
  ),
  rawCase(
    'values of the wrong type',
    `{ raw { ${RAW_FIELDS} } }`,
    json({ data: { raw: { id: 7, name: 12, kind: 1, count: 1.5, ratio: '0.5', flag: 'yes' } } }),
  ),
  rawCase(
    'an object where a scalar goes',
    '{ count raw { id } }',
    json({ data: { count: { n: 1 }, raw: { id: ['r'] } } }),
  ),
  rawCase(
    'nulls in lists',
    '{ rawList { id name } rawStrict { id name } }',
    json({ data: { rawList: [{ id: 'a', name: 'a' }, null], rawStrict: [{ id: 'b', name: 'b' }, null] } }),
  ),
  rawCase(
    'a list item missing a non-null field',
    '{ rawList { id name } }',
    json({ data: { rawList: [{ id: 'a' }, { id: 'b', name: 'b' }] } }),
  ),
  rawCase(
    'an unknown __typename',
    '{ thing { id ... on Gadget { size } } }',
    json({ data: { thing: { __typename: 'Nope', id: 't' } } }),
  ),
  rawCase(
    'a __typename of another type',
    '{ thing { __typename id ... on Raw { name } ... on Gadget { size } } }',
    json({ data: { thing: { __typename: 'Gadget', id: 't', name: 'x', size: 2 } } }),
  ),
  rawCase(
    'no __typename for an interface',
    '{ thing { id ... on Raw { name } } }',
    json({ data: { thing: { id: 't', name: 'x' } } }),
  ),
  rawCase(
    'errors with paths, codes and extensions',
    '{ raw { id name } count }',
    json({
      data: { raw: null, count: 2 },
      errors: [
        { message: 'No such raw.', path: ['raw'], extensions: { code: 'NOT_FOUND' } },
        {
          message: 'Bad count.',
          path: ['count'],
          locations: [{ line: 1, column: 3 }],
          extensions: { code: 'BAD_USER_INPUT', field: 'count', stacktrace: ['x'] },
        },
      ],
    }),
  ),
  rawCase(
    'an error without a code or path',
    '{ raw { id } }',
    json({ data: { raw: { id: 'r' } }, errors: [{ message: 'Something odd. Did you mean "else"?' }] }),
  ),
  rawCase(
    'an error without a message',
    '{ raw { id } }',
    json({ data: null, errors: [{ extensions: { code: 'FORBIDDEN' } }] }),
  ),
  rawCase(
    'an error with a federation code',
    '{ raw { id } }',
    json({ errors: [{ message: 'bad', extensions: { code: 'INVALID_GRAPHQL' } }] }),
  ),
  rawCase(
    'an error that asks for an HTTP status',
    '{ raw { id } }',
    json({
      data: { raw: null },
      errors: [{ message: 'teapot', extensions: { code: 'BAD_USER_INPUT', http: { status: 418 } } }],
    }),
  ),
  rawCase(
    'errors and no data',
    '{ raw { id } }',
    json({ errors: [{ message: 'Down.', extensions: { code: 'SERVICE_UNAVAILABLE' } }] }),
  ),
  rawCase('neither data nor errors', '{ raw { id } }', json({})),
  rawCase('data that is not an object', '{ raw { id } }', json({ data: 'raw' })),
  rawCase('a body that is not JSON', '{ raw { id } }', {
    headers: { 'content-type': 'application/json' },
    body: '{"data": ',
  }),
  rawCase('a body of another type', '{ raw { id } }', {
    headers: { 'content-type': 'text/plain' },
    body: 'hello',
  }),
  rawCase('a 400', '{ raw { id } }', { status: 400, ...json({ errors: [{ message: 'Bad request.' }] }) }),
  rawCase('a 403', '{ raw { id } }', { status: 403, ...json({ errors: [{ message: 'Forbidden.' }] }) }),
  rawCase('a 500', '{ raw { id } count }', { status: 500, ...json({ errors: [{ message: 'Boom.' }] }) }),
  rawCase(
    'a public cache hint',
    '{ raw { id } }',
    json({ data: { raw: { id: 'r' } } }, { 'cache-control': 'max-age=60, public' }),
  ),
  rawCase(
    'a private cache hint',
    '{ raw { id } }',
    json({ data: { raw: { id: 'r' } } }, { 'cache-control': 'private, max-age=30' }),
  ),
  rawCase(
    'a cache hint and an error',
    '{ raw { id } }',
    json(
      { data: { raw: null }, errors: [{ message: 'x', path: ['raw'] }] },
      { 'cache-control': 'max-age=60' },
    ),
  ),
  rawCase(
    'a cache hint on a mutation',
    'mutation { rawWrite(name: "n") { id name } }',
    json({ data: { rawWrite: { id: 'w', name: 'n' } } }, { 'cache-control': 'max-age=5, public' }),
  ),
  rawCase(
    'no-store',
    '{ raw { id } }',
    json({ data: { raw: { id: 'r' } } }, { 'cache-control': 'no-store' }),
  ),
];

describe('a single fetch answers as the gateway does', () => {
  let pair: { gateway: Router; fast: Router };

  beforeAll(async () => {
    pair = await startPair();
  }, 60_000);

  it.each(LIBRARY_CASES)('from a real subgraph: $name', async (testCase) => {
    await compare(pair, testCase);
  });

  it.each(RAW_CASES)('from a subgraph that sends anything: $name', async (testCase) => {
    await compare(pair, testCase);
  });
});

describe('a single-fetch operation is refused as the gateway refuses it', () => {
  let pair: { gateway: Router; fast: Router };

  beforeEach(async () => {
    pair = await startPair({ RATE_LIMIT_MUTATIONS_PER_MINUTE: '3', RATE_LIMIT_QUERIES_PER_MINUTE: '3' });
  });

  /** The seconds until the window ends depend on when each router's window started. */
  const bySeconds = (observed: Observed): Observed => ({
    ...observed,
    answer: {
      ...observed.answer,
      headers: observed.answer.headers.map((header) =>
        header.replace(/^retry-after: \d+$/, 'retry-after: N'),
      ),
      body: observed.answer.body.replace(/in \d+ seconds?/, 'in N seconds'),
    },
  });

  it.each([
    { name: 'queries', body: q('query Book($id: ID!) { book(id: $id) { id } }', { id: '1' }) },
    { name: 'mutations', body: q('mutation { rename(id: "1", title: "t") { id } }') },
  ])('over the $name budget: 429, RATE_LIMITED and Retry-After', async ({ name, body }) => {
    const testCase: Case = { name, body, role: 'CUSTOMER', single: true };
    raw.answer = RAW_OK;
    const observed: Array<[Observed, Observed]> = [];
    for (let attempt = 0; attempt < 4; attempt += 1) {
      observed.push([
        bySeconds(await observe(pair.gateway, testCase)),
        bySeconds(await observe(pair.fast, testCase)),
      ]);
    }
    for (const [expected, actual] of observed) expect(actual).toEqual(expected);
    // The first went through the gateway, which planned it; the next two ran as a single fetch; the
    // refusal never reached an executor.
    expect(await singleFetchServed(pair.fast)).toBe(2);
    const refused = observed.at(-1)![1].answer;
    expect(refused.status).toBe(429);
    expect(refused.headers).toContain('retry-after: N');
    expect(JSON.parse(refused.body)).toEqual({
      errors: [
        { message: `Too many ${name}; try again in N seconds.`, extensions: { code: 'RATE_LIMITED' } },
      ],
    });
  });
});
