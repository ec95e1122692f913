import {
  ROOT_CONTEXT,
  trace,
  type Context,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { withUntrustedCaller } from './trace-context.ts';

/**
 * W3C trace context for a process whose callers are not trusted (the router, facing public clients):
 * it sends its own `traceparent` to the next hop as usual, but never continues one it receives; the
 * caller's context is only kept for a link (untrustedCallerLinks). The HTTP instrumentation reads the
 * incoming `traceparent` through the global propagator before any of our code runs, so this is where
 * the decision is made for the span it opens: a root, sampled by our own sampler.
 */
export class UntrustedCallerPropagator implements TextMapPropagator {
  readonly #w3c = new W3CTraceContextPropagator();

  inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    this.#w3c.inject(ctx, carrier, setter);
  }

  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    const caller = trace.getSpanContext(this.#w3c.extract(ROOT_CONTEXT, carrier, getter));
    return withUntrustedCaller(ctx, caller);
  }

  fields(): string[] {
    return this.#w3c.fields();
  }
}
