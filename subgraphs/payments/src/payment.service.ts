import type { EntityManager } from '@mikro-orm/postgresql';
import { badUserInput } from '@supergraph/errors';
import { isUuid } from '@supergraph/db';
import { isAmount, isCurrency, type MoneyValue } from './money.ts';
import type { AuthorizationRequest, AuthorizationResult } from './payment-provider.ts';
import { Payment, type PaymentRecord } from './payment.entity.ts';

/** The provider's authorize as the service calls it: the composition root puts a breaker around it. */
export type AuthorizeAtProvider = (request: AuthorizationRequest) => Promise<AuthorizationResult>;

export interface AuthorizeCommand {
  orderId: string;
  /** The order's customer, who alone (with admins) may see the payment. */
  userId: string;
  /** The order's total. */
  amount: MoneyValue;
}

export type PaymentService = ReturnType<typeof createPaymentService>;

type Problem = { field: string; message: string };

function validate(command: AuthorizeCommand): AuthorizeCommand {
  const problems: Problem[] = [];
  for (const field of ['orderId', 'userId'] as const) {
    if (typeof command[field] !== 'string' || !isUuid(command[field])) {
      problems.push({ field, message: `${field} must be a UUID; got ${JSON.stringify(command[field])}` });
    }
  }
  const amount = (command.amount ?? {}) as Partial<MoneyValue>;
  if (!isAmount(amount.amount)) {
    problems.push({
      field: 'amount.amount',
      message: `amount.amount must be an integer of 0 or more, in minor units (1999 is 19.99); got ${JSON.stringify(amount.amount)}`,
    });
  }
  if (!isCurrency(amount.currency)) {
    problems.push({
      field: 'amount.currency',
      message: `amount.currency must be an ISO 4217 currency code of 3 upper-case letters, e.g. EUR; got ${JSON.stringify(amount.currency)}`,
    });
  }
  if (problems.length > 0) {
    throw badUserInput(problems.map((problem) => problem.message).join('; '), {
      fields: problems.map((problem) => problem.field),
    });
  }
  return {
    orderId: command.orderId.toLowerCase(),
    userId: command.userId.toLowerCase(),
    amount: { amount: command.amount.amount, currency: command.amount.currency },
  };
}

/** Payments' rules: each order is authorized (or declined) exactly once. No GraphQL here. */
export function createPaymentService(em: EntityManager, authorizeAtProvider: AuthorizeAtProvider) {
  return {
    /**
     * Authorizes an order's total at the provider and records the answer, once per order. An order
     * that already has a payment gets that payment back without a call to the provider: the saga's
     * event may be delivered again, and the first answer stands. Racing calls for one order may each
     * reach the provider (which keys the authorization by order id, so the card is held once), but
     * only one insert wins the unique order_id and every caller returns that row. A provider failure
     * (SERVICE_UNAVAILABLE from the breaker) records nothing, so a retry starts afresh.
     */
    async authorize(command: AuthorizeCommand): Promise<PaymentRecord> {
      const { orderId, userId, amount } = validate(command);
      const existing = await em.findOne(Payment, { orderId });
      if (existing) return existing;

      const result = await authorizeAtProvider({ orderId, amount });
      const now = new Date();
      await em
        .createQueryBuilder(Payment)
        .insert({
          id: crypto.randomUUID(),
          orderId,
          userId,
          amount,
          status: result.outcome,
          declineReason: result.outcome === 'DECLINED' ? result.reason : null,
          providerReference: result.outcome === 'AUTHORIZED' ? result.reference : null,
          createdAt: now,
          updatedAt: now,
        })
        .onConflict('orderId')
        .ignore()
        .execute('run');
      return em.findOneOrFail(Payment, { orderId });
    },
  };
}
