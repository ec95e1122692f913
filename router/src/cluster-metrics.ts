import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

// Prometheus scrapes the router's port, and the cluster hands each connection to any worker: the worker
// that gets the scrape asks the primary, which gathers every worker's registry over the cluster's IPC
// channel (prom-client's AggregatorRegistry) and merges them by each metric's `aggregator`.

const REQUEST = 'router:metrics-request';
const RESPONSE = 'router:metrics-response';

interface MetricsRequest {
  type: typeof REQUEST;
  id: number;
}

interface MetricsResponse {
  type: typeof RESPONSE;
  id: number;
  text?: string;
  error?: string;
}

function isMessage<T extends { type: string }>(message: unknown, type: T['type']): message is T {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type;
}

/** In the primary: answers each worker's request with the metrics of every worker, aggregated. */
export function answerMetricsRequests(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: unknown) => {
    if (!isMessage<MetricsRequest>(message, REQUEST)) return;
    const reply = (answer: Omit<MetricsResponse, 'type' | 'id'>) => {
      // A worker that exited meanwhile needs no answer; the callback keeps the failure from being thrown.
      if (worker.isConnected()) worker.send({ type: RESPONSE, id: message.id, ...answer }, () => {});
    };
    aggregator.clusterMetrics().then(
      (text) => reply({ text }),
      (error: unknown) => reply({ error: error instanceof Error ? error.message : String(error) }),
    );
  });
}

/**
 * In a cluster worker: reads the whole router's metrics (this worker's `registry` and every other
 * worker's, from the primary). Outside a cluster there is nothing to aggregate: undefined.
 */
export function clusterMetrics(registry: Registry): (() => Promise<string>) | undefined {
  if (!cluster.isWorker) return undefined;
  // The primary collects the registries named here; prom-client answers its requests once an
  // AggregatorRegistry exists in the process.
  AggregatorRegistry.setRegistries([registry]);
  new AggregatorRegistry();

  const pending = new Map<number, { resolve: (text: string) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  process.on('message', (message: unknown) => {
    if (!isMessage<MetricsResponse>(message, RESPONSE)) return;
    const request = pending.get(message.id);
    pending.delete(message.id);
    if (message.error !== undefined) request?.reject(new Error(`cluster metrics: ${message.error}`));
    else request?.resolve(message.text ?? '');
  });

  return () =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      const request: MetricsRequest = { type: REQUEST, id };
      process.send?.(request, undefined, undefined, (error: Error | null) => {
        if (!error) return;
        pending.delete(id);
        reject(error);
      });
    });
}
