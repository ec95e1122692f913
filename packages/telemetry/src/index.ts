// What any package needs to take part in a trace, on @opentelemetry/api alone. Starting the SDK (the
// exporter, the instrumentations) is `@supergraph/telemetry/sdk`, which only a process's main.ts and
// tests load.
export {
  activeSpan,
  SERVICE_ATTRIBUTE,
  SpanKind,
  SpanStatusCode,
  withSpan,
  type Span,
  type SpanOptions,
} from './spans.ts';
export {
  activeTraceparent,
  contextFromTraceparent,
  currentTraceIds,
  incomingRequestContext,
  injectTraceContext,
  untrustedCallerLinks,
  type IncomingRequestOptions,
} from './trace-context.ts';
