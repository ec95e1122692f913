import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
} from '@opentelemetry/sdk-trace';
import type { telemetryEnvSchema } from '@supergraph/config';

/** A sampler of the OpenTelemetry spec, by its OTEL_TRACES_SAMPLER name. */
export type SamplerName = ReturnType<typeof telemetryEnvSchema.parse>['OTEL_TRACES_SAMPLER'];

export interface SamplerConfig {
  name: SamplerName;
  /** The share of traces the ratio samplers keep, from 0 to 1; the others ignore it. */
  ratio: number;
}

/**
 * The SDK's own sampler for each name, as the spec defines them: a `parentbased_` sampler follows a
 * parent's sampled flag and asks its root sampler only for a span without a parent.
 */
const SAMPLERS: Record<SamplerName, (ratio: number) => Sampler> = {
  always_on: () => new AlwaysOnSampler(),
  always_off: () => new AlwaysOffSampler(),
  traceidratio: (ratio) => new TraceIdRatioBasedSampler(ratio),
  parentbased_always_on: () => new ParentBasedSampler({ root: new AlwaysOnSampler() }),
  parentbased_always_off: () => new ParentBasedSampler({ root: new AlwaysOffSampler() }),
  parentbased_traceidratio: (ratio) => new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) }),
};

export function createSampler(config: SamplerConfig): Sampler {
  return SAMPLERS[config.name](config.ratio);
}
