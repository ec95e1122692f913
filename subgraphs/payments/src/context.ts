import type { EntityManager } from '@mikro-orm/postgresql';
import type { Database } from '@supergraph/db';
import type { RequestContext } from '@supergraph/server-kit';
import { createLoaders, type Loaders } from './loaders.ts';
import { createPaymentReader, type PaymentReader } from './payment-reader.ts';
import type { ProviderCalls } from './guarded-payment-provider.ts';
import { createPaymentService, type PaymentService } from './payment.service.ts';

export interface Context extends RequestContext {
  em: EntityManager;
  loaders: Loaders;
  reader: PaymentReader;
  payments: PaymentService;
}

/** Each request gets its own EntityManager fork and its own DataLoaders: nothing leaks between callers. */
export function contextFactory(orm: Database, provider: ProviderCalls) {
  return (base: RequestContext): Context => {
    const em = orm.em.fork();
    const loaders = createLoaders(em);
    return {
      ...base,
      em,
      loaders,
      reader: createPaymentReader(loaders),
      payments: createPaymentService(em, provider),
    };
  };
}
