import { randomBytes, scryptSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import pg from 'pg';
import { startTestSubgraph, type TestSubgraph, generateSigningKeyPem } from '@supergraph/testing';
import { startUsersSubgraph } from '../src/app.ts';
import { loadEnv } from '../src/env.ts';
import { SEED_USERS } from '../src/seed.ts';

const privateKeyPem = generateSigningKeyPem();

let users: TestSubgraph;

beforeAll(async () => {
  users = await startTestSubgraph('users', (env, { onQuery }) =>
    startUsersSubgraph(loadEnv({ ...env, JWT_PRIVATE_KEY: privateKeyPem, SEED_ON_START: 'true' }), {
      onQuery,
    }),
  );
});

afterAll(async () => {
  await users?.stop();
});

const REGISTER = `mutation ($input: RegisterInput!) { register(input: $input) { token user { id email name role createdAt } } }`;
const LOGIN = `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { token user { id email } } }`;

interface AuthData {
  token: string;
  user: { id: string; email: string; name: string; role: string; createdAt: string };
}

async function register(email: string, password = 'correct horse battery', name = 'Test Shopper') {
  const result = await users.run<{ register: AuthData }>(REGISTER, {
    variables: { input: { email, name, password } },
  });
  return result;
}

const [admin] = SEED_USERS;

describe('register', () => {
  it('creates a customer, stores only a hash of the password, and returns a token for it', async () => {
    const result = await register('Alice@Example.com');
    expect(result.errors).toBeUndefined();
    const { token, user } = result.data!.register;
    expect(user).toMatchObject({ email: 'alice@example.com', name: 'Test Shopper', role: 'CUSTOMER' });
    expect(new Date(user.createdAt).toString()).not.toBe('Invalid Date');

    const jwks = (await fetch(new URL('/.well-known/jwks.json', users.url)).then((r) =>
      r.json(),
    )) as JSONWebKeySet;
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks), {
      issuer: 'supergraph-users',
      audience: 'supergraph',
      algorithms: ['ES256'],
    });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload).toMatchObject({ sub: user.id, role: 'CUSTOMER' });
    expect(payload.exp! - payload.iat!).toBe(3600);

    const client = new pg.Client({ connectionString: users.schema.clientUrl });
    await client.connect();
    const rows = await client.query(
      `select email, password_hash from "${users.schema.name}".user_account where id = $1`,
      [user.id],
    );
    await client.end();
    expect(rows.rows).toHaveLength(1);
    expect(rows.rows[0].password_hash).toMatch(/^argon2id\$/);
    expect(rows.rows[0].password_hash).not.toContain('correct horse battery');
  });

  it('refuses a second account for the same email, however it is capitalised', async () => {
    await register('bob@example.com');
    const result = await register('BOB@example.com ');
    expect(result.data).toBeNull();
    expect(result.errors?.[0]).toMatchObject({
      message: 'An account with email bob@example.com already exists.',
      extensions: { code: 'BAD_USER_INPUT', field: 'email' },
    });
  });

  it.each([
    [
      { email: 'not-an-email', name: 'X', password: 'long enough pw' },
      'email',
      'email must be a valid email address',
    ],
    [{ email: 'x@example.com', name: '  ', password: 'long enough pw' }, 'name', 'name must not be empty'],
    [
      { email: 'y@example.com', name: 'Y', password: 'short' },
      'password',
      'password must be at least 8 characters',
    ],
  ])('rejects bad input %j naming the field', async (input, field, message) => {
    const result = await users.run(REGISTER, { variables: { input } });
    expect(result.errors?.[0]).toMatchObject({ message, extensions: { code: 'BAD_USER_INPUT', field } });
  });
});

describe('login', () => {
  beforeAll(async () => {
    await register('carol@example.com', 'carol-password');
  });

  it('signs in with the right password', async () => {
    const result = await users.run<{ login: AuthData }>(LOGIN, {
      variables: { email: 'Carol@example.com', password: 'carol-password' },
    });
    expect(result.errors).toBeUndefined();
    expect(result.data!.login.user.email).toBe('carol@example.com');
    expect(result.data!.login.token.split('.')).toHaveLength(3);
  });

  it('refuses a wrong password and an unknown email with the same error', async () => {
    const wrong = await users.run(LOGIN, {
      variables: { email: 'carol@example.com', password: 'nope-nope' },
    });
    const unknown = await users.run(LOGIN, {
      variables: { email: 'nobody@example.com', password: 'nope-nope' },
    });
    for (const result of [wrong, unknown]) {
      expect(result.data).toBeNull();
      expect(result.errors?.[0]).toMatchObject({
        message: 'Email or password is incorrect.',
        extensions: { code: 'UNAUTHENTICATED' },
      });
    }
  });

  it('replaces the scrypt hash of an older account at sign-in, and the password keeps working', async () => {
    const { id } = (await register('frank@example.com', 'frank-password')).data!.register.user;
    const salt = randomBytes(16);
    const key = scryptSync('frank-password', salt, 32, { N: 2 ** 12, r: 8, p: 1 });
    const legacy = ['scrypt', 2 ** 12, 8, 1, salt.toString('base64'), key.toString('base64')].join('$');
    const client = new pg.Client({ connectionString: users.schema.clientUrl });
    await client.connect();
    const hashOf = async () =>
      (
        await client.query<{ password_hash: string }>(
          `select password_hash from "${users.schema.name}".user_account where id = $1`,
          [id],
        )
      ).rows[0]!.password_hash;
    try {
      await client.query(`update "${users.schema.name}".user_account set password_hash = $1 where id = $2`, [
        legacy,
        id,
      ]);
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const result = await users.run<{ login: AuthData }>(LOGIN, {
          variables: { email: 'frank@example.com', password: 'frank-password' },
        });
        expect(result.errors).toBeUndefined();
        expect(result.data!.login.user.id).toBe(id);
        expect(await hashOf()).toMatch(/^argon2id\$/);
      }
    } finally {
      await client.end();
    }
  });

  it('signs in the seeded admin', async () => {
    const result = await users.run<{ login: AuthData }>(LOGIN, {
      variables: { email: admin.email, password: admin.password },
    });
    expect(result.data!.login.user.id).toBe(admin.id);
  });
});

describe('me and user', () => {
  let dave: AuthData['user'];
  let erin: AuthData['user'];

  beforeAll(async () => {
    dave = (await register('dave@example.com')).data!.register.user;
    erin = (await register('erin@example.com')).data!.register.user;
  });

  it('me is null for an anonymous caller and the caller otherwise', async () => {
    expect((await users.run('{ me { id } }')).data).toEqual({ me: null });
    const result = await users.run('{ me { id email role } }', { as: { userId: dave.id, role: 'CUSTOMER' } });
    expect(result.data).toEqual({ me: { id: dave.id, email: 'dave@example.com', role: 'CUSTOMER' } });
  });

  it('user(id) needs a signed-in caller', async () => {
    const result = await users.run('query ($id: ID!) { user(id: $id) { id } }', {
      variables: { id: dave.id },
    });
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it("a customer cannot read another customer's account", async () => {
    const result = await users.run('query ($id: ID!) { user(id: $id) { id email } }', {
      variables: { id: erin.id },
      as: { userId: dave.id, role: 'CUSTOMER' },
    });
    expect(result.data).toEqual({ user: null });
    expect(result.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    expect(JSON.stringify(result)).not.toContain('erin@example.com');
  });

  it('a customer reads their own account and an admin reads anyone', async () => {
    const self = await users.run('query ($id: ID!) { user(id: $id) { email } }', {
      variables: { id: dave.id },
      as: { userId: dave.id, role: 'CUSTOMER' },
    });
    expect(self.data).toEqual({ user: { email: 'dave@example.com' } });
    const byAdmin = await users.run('query ($id: ID!) { user(id: $id) { email } }', {
      variables: { id: erin.id },
      as: { userId: admin.id, role: 'ADMIN' },
    });
    expect(byAdmin.data).toEqual({ user: { email: 'erin@example.com' } });
  });

  it('an admin asking for an id that does not exist gets null, not an error', async () => {
    const result = await users.run('query ($id: ID!) { user(id: $id) { email } }', {
      variables: { id: 'not-a-uuid' },
      as: { userId: admin.id, role: 'ADMIN' },
    });
    expect(result).toMatchObject({ data: { user: null } });
    expect(result.errors).toBeUndefined();
  });
});

describe('_entities', () => {
  const ids: string[] = [];

  beforeAll(async () => {
    // Written straight to the table: 50 registrations would spend most of the time hashing passwords.
    const client = new pg.Client({ connectionString: users.schema.clientUrl });
    await client.connect();
    const rows = await client.query<{ id: string }>(
      `insert into "${users.schema.name}".user_account (id, email, name, password_hash, role, created_at)
       select gen_random_uuid(), 'bulk' || i || '@example.com', 'Bulk ' || i, 'scrypt$unusable', 'CUSTOMER', now()
       from generate_series(0, 49) as i order by i returning id`,
    );
    await client.end();
    ids.push(...rows.rows.map((row) => row.id));
  });

  it('resolves a User reference for the user themself and for an admin, and null for others', async () => {
    const [first, second] = ids as [string, string];
    const reps = [{ __typename: 'User', id: first }];
    const self = await users.entities(reps, '... on User { id name }', {
      as: { userId: first, role: 'CUSTOMER' },
    });
    expect(self.data?._entities).toEqual([{ id: first, name: 'Bulk 0' }]);
    const other = await users.entities(reps, '... on User { id name }', {
      as: { userId: second, role: 'CUSTOMER' },
    });
    expect(other.data?._entities).toEqual([null]);
  });

  it('resolves 50 references with one SQL statement, in the order asked', async () => {
    const reversed = [...ids].reverse();
    users.queries.reset();
    const result = await users.entities(
      reversed.map((id) => ({ __typename: 'User', id })),
      '... on User { id email }',
      { as: { userId: admin.id, role: 'ADMIN' } },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities.map((user) => (user as { id: string }).id)).toEqual(reversed);
    expect(users.queries.statements).toHaveLength(1);
  });
});

describe('transport', () => {
  it('refuses a request that the router did not sign, _service included', async () => {
    const response = await fetch(users.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-supergraph-user-id': admin.id,
        'x-supergraph-user-role': 'ADMIN',
      },
      body: JSON.stringify({ query: '{ _service { sdl } }' }),
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
  });

  it('serves liveness and Prometheus metrics', async () => {
    expect((await fetch(new URL('/health', users.url))).status).toBe(200);
    const metrics = await fetch(new URL('/metrics', users.url)).then((r) => r.text());
    expect(metrics).toContain('http_request_duration_seconds_bucket');
    expect(metrics).toContain('graphql_operation_duration_seconds_count');
    expect(metrics).toContain('service="users"');
  });

  it('reports ready when Postgres and Redis answer', async () => {
    const response = await fetch(new URL('/ready', users.url));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ready: true, checks: { postgres: 'ok', redis: 'ok' } });
  });
});
