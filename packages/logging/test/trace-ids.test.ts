import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { withSpan } from '@supergraph/telemetry';
import { startTelemetry, type Telemetry } from '@supergraph/telemetry/sdk';
import { createLogger } from '../src/index.ts';

let telemetry: Telemetry;
const exporter = new InMemorySpanExporter();

beforeAll(async () => {
  telemetry = await startTelemetry({
    serviceName: 'logging-test',
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
    instrument: false,
  });
});

afterAll(async () => {
  await telemetry.shutdown();
});

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    name: 'logging-test',
    level: 'info',
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  return { logger, lines };
}

it('writes the trace and span ids of the active span on every line, child loggers included', async () => {
  const { logger, lines } = capture();
  await withSpan('test', 'request', {}, async () => {
    logger.info('in the request');
    logger.child({ requestId: 'r-1' }).warn('in a child logger');
  });
  const [span] = exporter.getFinishedSpans();
  const ids = { trace_id: span?.spanContext().traceId, span_id: span?.spanContext().spanId };
  expect(lines).toEqual([
    expect.objectContaining({ msg: 'in the request', ...ids }),
    expect.objectContaining({ msg: 'in a child logger', requestId: 'r-1', ...ids }),
  ]);
});

it('writes no trace ids outside a trace', () => {
  const { logger, lines } = capture();
  logger.info('at start');
  expect(lines[0]).not.toHaveProperty('trace_id');
  expect(lines[0]).not.toHaveProperty('span_id');
});
