// Checks deploy/ offline, the way CI can: `kubectl kustomize` renders each overlay, every rendered object
// is validated against the Kubernetes schemas (kubernetes-models, and @kubernetes-models/keda for KEDA's
// ScaledObject), any field the API does not define is reported (a round trip through the official
// client's typed models drops it), and the project's rules hold: each subgraph has its API, worker, Job,
// Service, probes, resources, autoscaler, disruption budget and network policy; images, commands and
// ports match the Dockerfiles; each process's environment passes its own env.ts; only the router reaches
// a subgraph; and prod holds no secret value.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { beforeAll, describe, expect, test } from '@jest/globals';
import { dumpYaml, loadYaml } from '@kubernetes/client-node';
import { parser as promql } from '@prometheus-io/lezer-promql';
import type { IScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import type { IService } from 'kubernetes-models/v1/Service';
import { parseAllDocuments } from 'yaml';
import { CONSUMERS, queueName, type Consumer } from '../packages/events/src/routing.ts';
import { readSupergraphConfig } from '../scripts/supergraph-config.ts';

const ROOT = new URL('..', import.meta.url);
const readText = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');

type Overlay = 'dev' | 'prod';

interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: NonNullable<IDeployment['metadata']> & { name: string };
  data?: Record<string, string>;
  [field: string]: unknown;
}

/** A pod some workload runs: what a NetworkPolicy selects it by, and its containers. */
interface Workload {
  kind: string;
  name: string;
  labels: Record<string, string>;
  containers: IContainer[];
  template: IPodTemplateSpec;
}

/**
 * The Secrets an operator creates for prod (none is in the repository), and the one a developer
 * creates for dev; the README's Kubernetes section lists the same. A manifest that reads any other
 * Secret fails below until it is added here and there.
 */
const SECRETS_TO_CREATE: Record<Overlay, string[]> = {
  prod: [
    'inventory-database',
    'notifications-database',
    'notifications-smtp',
    'orders-database',
    'payments-database',
    'payments-stripe',
    'products-database',
    'supergraph-internal',
    'supergraph-redis',
    'users-database',
    'users-jwt',
  ],
  dev: ['users-jwt'],
};

/** Values standing in for the Secrets to create, each in the format its env.ts demands. */
const SECRET_PLACEHOLDERS: Record<string, string> = {
  INTERNAL_SECRET: 'placeholder-internal-secret-0123456789abcdef',
  REDIS_URL: 'rediss://:password@redis.example:6380',
  DATABASE_URL: 'postgres://role:password@postgres.example:5432/supergraph',
  JWT_PRIVATE_KEY: generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ format: 'pem', type: 'pkcs8' })
    .toString(),
  STRIPE_SECRET_KEY: 'sk_test_placeholder',
  SMTP_URL: 'smtps://user:password@smtp.example:465',
};

const subgraphs = readSupergraphConfig().subgraphs.map(({ name, routingUrl }) => ({
  name,
  port: Number(new URL(routingUrl).port),
  hasWorker: existsSync(new URL(`subgraphs/${name}/src/worker-main.ts`, ROOT)),
}));
const withWorker = subgraphs.filter((subgraph) => subgraph.hasWorker);

function kustomize(overlay: Overlay): KubeObject[] {
  let output: string;
  try {
    output = execFileSync('kubectl', ['kustomize', `deploy/overlays/${overlay}`], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(
        'kubectl is not on PATH: install kubectl 1.27 or newer (kustomize is built in) to render deploy/',
      );
    }
    throw new Error(
      `kubectl kustomize deploy/overlays/${overlay} failed: ${(error as { stderr?: string }).stderr}`,
    );
  }
  return parseAllDocuments(output).map((document) => document.toJS() as KubeObject);
}

/** The Dockerfile's runtime facts: the port it exposes and sets, and its command. */
function dockerfile(path: string): { port: number; cmd: string[] } {
  const text = readText(path);
  const exposed = /^EXPOSE (\d+)/m.exec(text)?.[1];
  const env = /^\s+PORT=(\d+)/m.exec(text)?.[1];
  const cmd = /^CMD (\[.*\])$/m.exec(text)?.[1];
  if (!exposed || exposed !== env || !cmd) throw new Error(`${path}: no EXPOSE/PORT pair or CMD`);
  return { port: Number(exposed), cmd: JSON.parse(cmd) as string[] };
}

function ofKind<T>(objects: KubeObject[], kind: string): (T & KubeObject)[] {
  return objects.filter((object) => object.kind === kind) as (T & KubeObject)[];
}

function named<T>(objects: KubeObject[], kind: string, name: string): T & KubeObject {
  const found = ofKind<T>(objects, kind).find((object) => object.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
}

function workloads(objects: KubeObject[]): Workload[] {
  return objects.flatMap((object) => {
    if (!['Deployment', 'StatefulSet', 'Job'].includes(object.kind)) return [];
    const template = (object.spec as { template: IPodTemplateSpec }).template;
    return [
      {
        kind: object.kind,
        name: object.metadata.name,
        labels: template.metadata?.labels ?? {},
        containers: template.spec?.containers ?? [],
        template,
      },
    ];
  });
}

const selects = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
  Object.entries(selector ?? {}).every(([key, value]) => labels[key] === value);

type SchemaModel = new (data: unknown) => { validate(): void };

/** The schema model of an apiVersion/kind, from kubernetes-models or the package of its CRD. */
async function schemaModel(apiVersion: string, kind: string): Promise<SchemaModel> {
  const crdPackages: Record<string, string> = { 'keda.sh': '@kubernetes-models/keda' };
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
  const modulePath = `${crdPackages[group] ?? 'kubernetes-models'}/${apiVersion}/${kind}`;
  const module = (await import(modulePath).catch(() => {
    throw new Error(`no schema for ${apiVersion} ${kind} (${modulePath}): add the package that has it`);
  })) as Record<string, SchemaModel>;
  return module[kind]!;
}

/**
 * kustomize writes a generated Secret's base64 over several lines; the API server's decoder skips the
 * line breaks, the schema's `byte` format does not, so they go before validation.
 */
function withUnwrappedSecretData(object: KubeObject): KubeObject {
  if (object.kind !== 'Secret' || !object.data) return object;
  const data = Object.entries(object.data).map(([key, value]) => [key, value.replaceAll('\n', '')]);
  return { ...object, data: Object.fromEntries(data) as Record<string, string> };
}

/** Problems of one object against its kind's schema: wrong types, missing required fields, bad enums. */
async function schemaProblems(object: KubeObject): Promise<string[]> {
  const Model = await schemaModel(object.apiVersion, object.kind);
  try {
    new Model(withUnwrappedSecretData(object)).validate();
    return [];
  } catch (error) {
    return [`${object.kind} ${object.metadata.name}: ${(error as Error).message}`];
  }
}

/**
 * Fields the Kubernetes API does not define, such as a misspelt `readinesProbe`, which the API server
 * refuses at apply time (or, with field validation off, drops silently) and the schemas above allow:
 * the official client's typed models keep only the fields of the API's OpenAPI types, so what a round
 * trip through them loses is unknown. Custom resources pass through untouched.
 */
function unknownFields(object: KubeObject): string[] {
  const roundTrip = parseAllDocuments(dumpYaml(loadYaml(JSON.stringify(object))))[0]!.toJS() as unknown;
  const lost: string[] = [];
  const walk = (original: unknown, kept: unknown, path: string) => {
    if (typeof original !== 'object' || original === null) return;
    for (const [key, value] of Object.entries(original)) {
      const next = (kept as Record<string, unknown> | undefined)?.[key];
      if (next === undefined && value !== undefined) {
        lost.push(`${object.kind} ${object.metadata.name}: ${path}${key}`);
      } else {
        walk(value, next, `${path}${key}.`);
      }
    }
  };
  walk(object, roundTrip, '');
  return lost;
}

/** Which workloads of the namespace may open a connection to `target`'s `port`, by its NetworkPolicies. */
function allowedSources(objects: KubeObject[], target: Workload, port: string): string[] {
  const policies = ofKind<INetworkPolicy>(objects, 'NetworkPolicy').filter((policy) =>
    selects(policy.spec?.podSelector?.matchLabels, target.labels),
  );
  for (const policy of policies) {
    if (policy.spec?.podSelector?.matchExpressions) throw new Error('matchExpressions: not evaluated here');
  }
  return workloads(objects)
    .filter((source) =>
      policies.some((policy) =>
        (policy.spec?.ingress ?? []).some(
          (rule) =>
            (rule.ports ?? [{ port }]).some((allowed) => allowed.port === port) &&
            (rule.from ?? []).some(
              (peer) =>
                !peer.namespaceSelector &&
                peer.podSelector !== undefined &&
                selects(peer.podSelector.matchLabels, source.labels),
            ),
        ),
      ),
    )
    .map((source) => source.name)
    .sort();
}

/** Whether Prometheus (namespace monitoring, app.kubernetes.io/name=prometheus) may scrape `port`. */
function prometheusMayScrape(objects: KubeObject[], target: Workload, port: string): boolean {
  return ofKind<INetworkPolicy>(objects, 'NetworkPolicy')
    .filter((policy) => selects(policy.spec?.podSelector?.matchLabels, target.labels))
    .some((policy) =>
      (policy.spec?.ingress ?? []).some(
        (rule) =>
          (rule.ports ?? []).some((allowed) => allowed.port === port) &&
          (rule.from ?? []).some(
            (peer) =>
              peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'monitoring' &&
              peer.podSelector?.matchLabels?.['app.kubernetes.io/name'] === 'prometheus',
          ),
      ),
    );
}

/**
 * The environment a container starts with: its ConfigMaps, the rendered Secrets (dev), and stand-ins
 * for the Secrets to create. A Secret that is neither fails, unless the reference is optional.
 */
function containerEnv(
  objects: KubeObject[],
  overlay: Overlay,
  container: IContainer,
): Record<string, string> {
  const data = (kind: 'ConfigMap' | 'Secret', name: string) => {
    const found = ofKind<KubeObject>(objects, kind).find((object) => object.metadata.name === name);
    if (!found || kind === 'ConfigMap') return found?.data;
    const decoded = Object.entries(found.data ?? {}).map(([k, v]) => [
      k,
      Buffer.from(v, 'base64').toString(),
    ]);
    return Object.fromEntries(decoded) as Record<string, string>;
  };
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const values = source.configMapRef
      ? data('ConfigMap', source.configMapRef.name!)
      : data('Secret', source.secretRef!.name!);
    if (!values) throw new Error(`${container.name}: envFrom names a missing ConfigMap or Secret`);
    Object.assign(env, values);
  }
  for (const variable of container.env ?? []) {
    const ref = variable.valueFrom?.secretKeyRef;
    if (!ref) {
      env[variable.name] = variable.value ?? '';
      continue;
    }
    const value = data('Secret', ref.name!)?.[ref.key];
    if (value !== undefined) {
      env[variable.name] = value;
    } else if (SECRETS_TO_CREATE[overlay].includes(ref.name!)) {
      env[variable.name] = SECRET_PLACEHOLDERS[ref.key]!;
    } else if (!ref.optional) {
      throw new Error(`${container.name}: Secret ${ref.name} is neither generated nor listed`);
    }
  }
  return env;
}

/** Parses an environment with a process's own env.ts, as the process does at start. */
async function loadProcessEnv(
  envModule: string,
  env: Record<string, string>,
): Promise<Record<string, unknown>> {
  const module = (await import(new URL(envModule, ROOT).href)) as {
    loadEnv: (source: Record<string, string>) => Record<string, unknown>;
  };
  return module.loadEnv(env);
}

describe.each<Overlay>(['dev', 'prod'])('deploy/overlays/%s', (overlay) => {
  let objects: KubeObject[];
  let pods: Workload[];
  const pod = (name: string) => {
    const found = pods.find((workload) => workload.name === name);
    if (!found) throw new Error(`no workload ${name}`);
    return found;
  };
  const shopPods = () =>
    pods.filter((workload) => workload.labels['app.kubernetes.io/part-of'] === 'supergraph');

  beforeAll(() => {
    objects = kustomize(overlay);
    pods = workloads(objects);
  });

  test('every rendered object validates against its Kubernetes schema', async () => {
    const problems = (await Promise.all(objects.map(schemaProblems))).flat();
    expect(problems).toEqual([]);
  });

  test('no object sets a field its kind does not define', () => {
    expect(objects.flatMap(unknownFields)).toEqual([]);
  });

  test('every subgraph has its API, worker where it has one, migration Job and Service', () => {
    for (const { name, port, hasWorker } of subgraphs) {
      const service = named<IService>(objects, 'Service', name);
      expect(service.spec?.ports).toEqual([{ name: 'http', port, targetPort: 'http' }]);
      expect(selects(service.spec?.selector, pod(name).labels)).toBe(true);
      expect(pods.some((workload) => workload.name === `${name}-worker`)).toBe(hasWorker);
      named<IJob>(objects, 'Job', `${name}-migrate`);
    }
    // Every domain that consumes events has a worker-main.ts, so a worker Deployment.
    expect(withWorker.map(({ name }) => name).sort()).toEqual([...CONSUMERS].sort());
  });

  test('the router and every API scale on CPU; each Deployment of the shop has a disruption budget', () => {
    const apis = ['router', ...subgraphs.map(({ name }) => name)];
    for (const name of apis) {
      // The autoscaler owns the count: a replicas field would reset it at every apply.
      expect({ name, replicas: named<IDeployment>(objects, 'Deployment', name).spec?.replicas }).toEqual({
        name,
      });
      const hpa = named<IHorizontalPodAutoscaler>(objects, 'HorizontalPodAutoscaler', name);
      expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name });
      expect(hpa.spec.metrics).toEqual([
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
        },
      ]);
    }
    for (const { name } of shopPods().filter(({ kind }) => kind === 'Deployment')) {
      const pdb = named<IPodDisruptionBudget>(objects, 'PodDisruptionBudget', name);
      expect({ name, maxUnavailable: pdb.spec?.maxUnavailable }).toEqual({ name, maxUnavailable: 1 });
      expect({ name, selects: selects(pdb.spec?.selector?.matchLabels, pod(name).labels) }).toEqual({
        name,
        selects: true,
      });
    }
  });

  test('workers scale on their queue depth through KEDA in prod; dev, without KEDA, runs one of each', () => {
    const scaledObjects = ofKind<IScaledObject>(objects, 'ScaledObject');
    if (overlay === 'dev') {
      expect(scaledObjects).toEqual([]);
      return;
    }
    const registersGauge = readText('packages/events/src/worker-process.ts').includes(
      "name: 'event_queue_jobs'",
    );
    expect(registersGauge).toBe(true);
    for (const { name } of withWorker) {
      const scaled = named<IScaledObject>(objects, 'ScaledObject', `${name}-worker`);
      expect(scaled.spec.scaleTargetRef.name).toBe(`${name}-worker`);
      expect(scaled.spec.minReplicaCount).toBeGreaterThanOrEqual(1);
      const [trigger] = scaled.spec.triggers;
      expect(trigger?.type).toBe('prometheus');
      const query = String(trigger?.metadata.query);
      expect(query).toBe(`max(event_queue_jobs{queue="${queueName(name as Consumer)}", state="waiting"})`);
      expect(promql.parse(query).toString()).not.toContain('⚠');
    }
  });

  test('every container has startup, liveness and readiness probes and resource requests and limits', () => {
    for (const workload of pods) {
      for (const container of workload.containers) {
        const where = `${workload.name}/${container.name}`;
        expect({ where, requests: container.resources?.requests }).toMatchObject({
          requests: { cpu: expect.any(String), memory: expect.any(String) },
        });
        expect({ where, limits: container.resources?.limits }).toMatchObject({
          limits: { cpu: expect.any(String), memory: expect.any(String) },
        });
        if (workload.kind === 'Job') continue;
        for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe'] as const) {
          expect({ where, probe, set: container[probe] !== undefined }).toEqual({ where, probe, set: true });
        }
        if (workload.labels['app.kubernetes.io/part-of'] !== 'supergraph') continue;
        expect({ where, path: container.startupProbe?.httpGet?.path }).toEqual({ where, path: '/health' });
        expect({ where, path: container.livenessProbe?.httpGet?.path }).toEqual({ where, path: '/health' });
        expect({ where, path: container.readinessProbe?.httpGet?.path }).toEqual({ where, path: '/ready' });
      }
    }
  });

  test('every pod meets the "restricted" Pod Security Standard that the namespace enforces', () => {
    const namespace = ofKind<KubeObject>(objects, 'Namespace')[0];
    expect(namespace?.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    for (const { name, template, containers } of pods) {
      const podContext = template.spec?.securityContext;
      expect({ name, hostNetwork: template.spec?.hostNetwork ?? false }).toEqual({
        name,
        hostNetwork: false,
      });
      for (const container of containers) {
        const own = container.securityContext;
        expect({
          where: `${name}/${container.name}`,
          runAsNonRoot: own?.runAsNonRoot ?? podContext?.runAsNonRoot,
          seccomp: own?.seccompProfile?.type ?? podContext?.seccompProfile?.type,
          allowPrivilegeEscalation: own?.allowPrivilegeEscalation,
          privileged: own?.privileged ?? false,
          drop: own?.capabilities?.drop,
          add: own?.capabilities?.add ?? [],
        }).toEqual({
          where: `${name}/${container.name}`,
          runAsNonRoot: true,
          seccomp: 'RuntimeDefault',
          allowPrivilegeEscalation: false,
          privileged: false,
          drop: ['ALL'],
          add: [],
        });
      }
    }
  });

  test('images, commands and ports match the Dockerfiles', () => {
    const image = (name: string) => new RegExp(`(^|/)supergraph/${name}(:[\\w.-]+)?$`);
    const router = dockerfile('router/Dockerfile');
    expect(pod('router').containers[0]).toMatchObject({
      image: expect.stringMatching(image('router')),
      ports: [{ name: 'http', containerPort: router.port }],
    });
    expect(pod('router').containers[0]?.command).toBeUndefined(); // the image's CMD
    const scripts = [router.cmd.at(-1)!];
    for (const { name, port, hasWorker } of subgraphs) {
      const built = dockerfile(`subgraphs/${name}/Dockerfile`);
      expect({ name, port: built.port }).toEqual({ name, port });
      const [api] = pod(name).containers;
      expect(api).toMatchObject({
        image: expect.stringMatching(image(name)),
        ports: [{ containerPort: port }],
      });
      expect(api?.command).toBeUndefined(); // the image's CMD
      // The worker and the migration run the image's command with another entrypoint of the subgraph.
      const main = `subgraphs/${name}/src/main.ts`;
      expect(built.cmd.at(-1)).toBe(main);
      const entrypoint = (file: string) => built.cmd.map((part) => (part === main ? file : part));
      const [migrate] = pod(`${name}-migrate`).containers;
      expect(migrate).toMatchObject({
        image: api?.image,
        command: entrypoint(`subgraphs/${name}/src/migrate.ts`),
      });
      scripts.push(main, `subgraphs/${name}/src/migrate.ts`);
      if (hasWorker) {
        const [worker] = pod(`${name}-worker`).containers;
        expect(worker).toMatchObject({
          image: api?.image,
          command: entrypoint(`subgraphs/${name}/src/worker-main.ts`),
          ports: [{ name: 'http', containerPort: port + 100 }],
        });
        scripts.push(`subgraphs/${name}/src/worker-main.ts`);
      }
    }
    const missing = scripts.filter((script) => !existsSync(new URL(script, ROOT)));
    expect(missing).toEqual([]);
  });

  test("every process's environment passes its own env.ts, on the port it listens on", async () => {
    for (const { name, port, hasWorker } of subgraphs) {
      const api = await loadProcessEnv(
        `subgraphs/${name}/src/env.ts`,
        containerEnv(objects, overlay, pod(name).containers[0]!),
      );
      expect({ name, port: api.PORT, schema: api.DATABASE_SCHEMA }).toEqual({ name, port, schema: name });
      if (hasWorker) {
        const container = pod(`${name}-worker`).containers[0]!;
        const worker = await loadProcessEnv(
          `subgraphs/${name}/src/env.ts`,
          containerEnv(objects, overlay, container),
        );
        expect({ name, port: worker.WORKER_PORT }).toEqual({ name, port: port + 100 });
      }
      const migration = containerEnv(objects, overlay, pod(`${name}-migrate`).containers[0]!);
      expect({ name, url: migration.DATABASE_URL !== undefined, schema: migration.DATABASE_SCHEMA }).toEqual({
        name,
        url: true,
        schema: name,
      });
    }
    const router = await loadProcessEnv(
      'router/src/env.ts',
      containerEnv(objects, overlay, pod('router').containers[0]!),
    );
    expect(router.PORT).toBe(4000);
    expect(router.NODE_ENV).toBe(overlay === 'dev' ? 'development' : 'production');
  });

  test('the router finds each subgraph by its Service name and reads the committed supergraph', async () => {
    const routerPod = pod('router');
    const env = await loadProcessEnv(
      'router/src/env.ts',
      containerEnv(objects, overlay, routerPod.containers[0]!),
    );
    const urls = env.SUBGRAPH_URLS as Record<string, string>;
    expect(Object.keys(urls).sort()).toEqual(subgraphs.map(({ name }) => name).sort());
    for (const [name, url] of [...Object.entries(urls), ['users', String(env.JWKS_URL)]]) {
      const { hostname, port } = new URL(url!);
      const service = named<IService>(objects, 'Service', hostname);
      expect({ name, service: hostname, port: Number(port) }).toEqual({
        name,
        service: name,
        port: service.spec?.ports?.[0]?.port,
      });
    }
    const path = String(env.SUPERGRAPH_PATH);
    const mount = routerPod.containers[0]?.volumeMounts?.find((m) => m.mountPath === posix.dirname(path));
    const volume = routerPod.template.spec?.volumes?.find((v) => v.name === mount?.name);
    expect(mount?.subPath).toBeUndefined(); // a subPath mount never sees the ConfigMap's updates
    const configMap = named<KubeObject>(objects, 'ConfigMap', volume?.configMap?.name ?? '(none)');
    const mounted = configMap.data?.[posix.basename(path)];
    expect({ path, current: mounted === readText('supergraph.graphql') }).toEqual({ path, current: true });
  });

  test('only the router reaches a subgraph API, orders excepted for products; Prometheus scrapes all', () => {
    for (const { name } of subgraphs) {
      const expected = name === 'products' ? ['orders', 'router'] : ['router'];
      expect({ name, sources: allowedSources(objects, pod(name), 'http') }).toEqual({
        name,
        sources: expected,
      });
    }
    for (const { name, kind, template, containers } of shopPods()) {
      if (kind !== 'Deployment') continue;
      // Workers and the router: no pod of the namespace calls them (clients reach the router through the
      // ingress controller's namespace).
      if (name === 'router' || name.endsWith('-worker')) {
        expect({ name, sources: allowedSources(objects, pod(name), 'http') }).toEqual({ name, sources: [] });
      }
      const scraped = template.metadata?.annotations?.['prometheus.io/port'];
      const port = String(containers[0]?.ports?.[0]?.containerPort);
      expect({ name, scraped, allowed: prometheusMayScrape(objects, pod(name), 'http') }).toEqual({
        name,
        scraped: port,
        allowed: true,
      });
    }
  });

  test('the Ingress terminates TLS for its host with the certificate in Secret router-tls', () => {
    const ingress = named<IIngress>(objects, 'Ingress', 'router');
    const host = overlay === 'dev' ? 'shop.localhost' : 'shop.example.com';
    expect(ingress.spec?.tls).toEqual([{ hosts: [host], secretName: 'router-tls' }]);
    expect(ingress.spec?.rules).toEqual([
      {
        host,
        http: {
          paths: [
            {
              path: '/',
              pathType: 'Prefix',
              backend: { service: { name: 'router', port: { name: 'http' } } },
            },
          ],
        },
      },
    ]);
    const issuer = ingress.metadata?.annotations?.['cert-manager.io/cluster-issuer'];
    expect(issuer).toBe(overlay === 'prod' ? 'letsencrypt' : undefined);
  });

  test('Secrets are referenced, prod writes none, and each one the overlay does not make is listed', () => {
    const references = shopPods().flatMap(({ containers }) =>
      containers.flatMap((container) =>
        (container.env ?? []).flatMap(({ valueFrom }) => valueFrom?.secretKeyRef ?? []),
      ),
    );
    const rendered = ofKind<KubeObject>(objects, 'Secret').map(({ metadata }) => metadata.name);
    const missing = new Set(references.filter(({ name }) => !rendered.includes(name!)));
    const required = [...missing].filter(({ optional }) => !optional).map(({ name }) => name!);
    const toCreate = SECRETS_TO_CREATE[overlay];
    // Each Secret a process needs and the overlay does not make is one the README says to create.
    expect(required.filter((name) => !toCreate.includes(name))).toEqual([]);
    expect(toCreate.filter((name) => ![...missing].some((ref) => ref.name === name))).toEqual([]);
    if (overlay === 'dev') return;

    expect(rendered).toEqual([]);
    const secretLike = /SECRET|PASSWORD|PRIVATE_KEY|TOKEN|DATABASE_URL|REDIS_URL|SMTP_URL/;
    const literals = shopPods().flatMap(({ name, containers }) =>
      containers.flatMap((container) =>
        (container.env ?? [])
          .filter((variable) => secretLike.test(variable.name) && variable.value !== undefined)
          .map((variable) => `${name}: ${variable.name}`),
      ),
    );
    const inConfigMaps = ofKind<KubeObject>(objects, 'ConfigMap').flatMap(({ metadata, data }) =>
      Object.entries(data ?? {})
        // A key named like a secret, or a URL with a password in it.
        .filter(([key, value]) => secretLike.test(key) || /:\/\/[^/\s:@]*:[^/\s@]+@/.test(value))
        .map(([key]) => `${metadata.name}: ${key}`),
    );
    expect([...literals, ...inConfigMaps]).toEqual([]);
  });
});

/** kustomize reads no file outside an overlay's folder tree, so deploy/ holds copies of these two. */
const COPIES = [
  {
    copy: 'deploy/base/router/supergraph.graphql',
    of: 'supergraph.graphql',
    fix: 'run `npm run compose`, which writes both',
  },
  {
    copy: 'deploy/overlays/dev/postgres-init.sh',
    of: 'deploy/compose/postgres-init.sh',
    fix: 'cp deploy/compose/postgres-init.sh deploy/overlays/dev/',
  },
];

test.each(COPIES)('$copy is the same as $of', ({ copy, of, fix }) => {
  const same = readText(copy) === readText(of);
  expect({ copy, same }).toEqual({ copy, same: true, ...(same ? {} : { fix }) });
});

describe('deploy/overlays/dev infrastructure', () => {
  let objects: KubeObject[];
  beforeAll(() => {
    objects = kustomize('dev');
  });

  test('Postgres runs the init script docker-compose runs; Redis keeps its jobs (AOF, noeviction)', () => {
    const init = ofKind<KubeObject>(objects, 'ConfigMap').find(({ metadata }) =>
      metadata.name.startsWith('postgres-init-'),
    );
    expect(init?.data?.['postgres-init.sh'] === readText('deploy/compose/postgres-init.sh')).toBe(true);
    const redis = workloads(objects).find(({ name }) => name === 'redis');
    expect(redis?.containers[0]?.args).toEqual(
      expect.arrayContaining(['--appendonly', 'yes', '--maxmemory-policy', 'noeviction']),
    );
  });

  test('every process of the shop, and nothing else, reaches Postgres and Redis', () => {
    const shop = workloads(objects).filter((w) => w.labels['app.kubernetes.io/part-of'] === 'supergraph');
    for (const database of ['postgres', 'redis']) {
      const target = workloads(objects).find(({ name }) => name === database)!;
      expect({ database, sources: allowedSources(objects, target, database) }).toEqual({
        database,
        sources: shop.map(({ name }) => name).sort(),
      });
    }
  });
});

describe('the checks themselves', () => {
  const broken: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'broken' },
    spec: {
      template: {
        spec: {
          containers: [{ name: 'api', image: 'x', readinesProbe: {}, ports: [{ containerPort: 'http' }] }],
        },
      },
    },
  };

  test('a Deployment without a selector, with a port that is no number, fails the schema', async () => {
    const [problem] = await schemaProblems(broken);
    expect(problem).toMatch(/spec must have required property selector/);
    expect(problem).toMatch(/containerPort must be integer/);
  });

  test('a misspelt field is reported as unknown', () => {
    expect(unknownFields(broken)).toEqual([
      'Deployment broken: spec.template.spec.containers.0.readinesProbe',
    ]);
  });
});
