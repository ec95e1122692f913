import { badUserInput } from '@supergraph/errors';

export interface MoneyValue {
  /** Minor units of the currency. */
  amount: number;
  /** ISO 4217 code. */
  currency: string;
}

/** What a client sends to create a product (GraphQL's CreateProductInput, without GraphQL). */
export interface ProductInput {
  sku: string;
  name: string;
  description: string;
  price: MoneyValue;
  weightGrams: number;
}

/** What a client sends to change a product: any subset of the fields. */
export type ProductChanges = { [K in keyof ProductInput]?: ProductInput[K] | null };

const SKU_PATTERN = /^(?=.{3,32}$)[A-Z0-9]+(?:-[A-Z0-9]+)*$/;
const NAME_MAX = 200;
const DESCRIPTION_MAX = 10_000;
// ICU's list of the ISO 4217 codes in use, so a well-formed but unknown code such as `EUO` is refused.
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

type Problem = { field: string; message: string };

function checkField(field: keyof ProductInput, value: unknown): Problem[] {
  switch (field) {
    case 'sku':
      return typeof value === 'string' && SKU_PATTERN.test(value)
        ? []
        : [
            {
              field,
              message: `sku must be 3 to 32 characters of upper-case letters (A-Z) and digits in groups joined by single dashes, e.g. MUG-350; got ${JSON.stringify(value)}`,
            },
          ];
    case 'name':
      if (typeof value !== 'string' || value.length === 0)
        return [{ field, message: 'name must not be blank' }];
      return value.length > NAME_MAX
        ? [{ field, message: `name must be at most ${NAME_MAX} characters` }]
        : [];
    case 'description':
      return typeof value === 'string' && value.length <= DESCRIPTION_MAX
        ? []
        : [{ field, message: `description must be at most ${DESCRIPTION_MAX} characters` }];
    case 'price': {
      const price = (value ?? {}) as Partial<MoneyValue>;
      const problems: Problem[] = [];
      if (!Number.isSafeInteger(price.amount) || (price.amount as number) < 0) {
        problems.push({
          field: 'price.amount',
          message: 'price.amount must be an integer of 0 or more, in minor units (1999 is 19.99)',
        });
      }
      if (
        typeof price.currency !== 'string' ||
        !/^[A-Z]{3}$/.test(price.currency) ||
        !CURRENCIES.has(price.currency)
      ) {
        problems.push({
          field: 'price.currency',
          message: `price.currency must be an ISO 4217 currency code of 3 upper-case letters, e.g. EUR; got ${JSON.stringify(price.currency)}`,
        });
      }
      return problems;
    }
    case 'weightGrams':
      return Number.isSafeInteger(value) && (value as number) > 0
        ? []
        : [{ field, message: 'weightGrams must be an integer greater than 0' }];
  }
}

/** Surrounding whitespace is never meant: trimmed, `name: "  "` is blank and a pasted SKU matches. */
function trimmed<T>(value: T): T {
  return (typeof value === 'string' ? value.trim() : value) as T;
}

/** Every problem at once, so a client fixes its input in one round trip. */
function fail(problems: Problem[]): never {
  throw badUserInput(problems.map((problem) => problem.message).join('; '), {
    fields: problems.map((problem) => problem.field),
  });
}

const FIELDS = [
  'sku',
  'name',
  'description',
  'price',
  'weightGrams',
] as const satisfies (keyof ProductInput)[];

export function validateNewProduct(input: ProductInput): ProductInput {
  const product: ProductInput = {
    ...input,
    sku: trimmed(input.sku),
    name: trimmed(input.name),
    description: trimmed(input.description),
  };
  const problems = FIELDS.flatMap((field) => checkField(field, product[field]));
  if (problems.length > 0) fail(problems);
  return product;
}

/** The fields to change. An explicit null is refused: the client may mean "clear" or "keep". */
export function validateChanges(input: ProductChanges): Partial<ProductInput> {
  const changes: Partial<ProductInput> = {};
  const problems: Problem[] = [];
  for (const field of FIELDS) {
    const value = input[field];
    if (value === undefined) continue;
    if (value === null) {
      problems.push({ field, message: `${field} cannot be null; leave it out to keep the current value` });
      continue;
    }
    const normalized = trimmed(value);
    problems.push(...checkField(field, normalized));
    Object.assign(changes, { [field]: normalized });
  }
  if (problems.length > 0) fail(problems);
  return changes;
}
