import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import { badUserInput, notFound } from '@supergraph/errors';
import type { Identity } from '@supergraph/identity';
import { requireAdmin } from './authorization.ts';
import { isUuid } from '@supergraph/db';
import type { Loaders } from './loaders.ts';
import {
  validateChanges,
  validateNewProduct,
  type ProductChanges,
  type ProductInput,
} from './product-input.ts';
import { listProducts, type ProductPageRequest } from './product-page.ts';
import { Product, type ProductRecord } from './product.entity.ts';

export type ProductService = ReturnType<typeof createProductService>;

const SKU_CONSTRAINT = 'product_sku_unique';
/** One batch lookup for another subgraph: an order holds at most 50 items, so 100 leaves room. */
export const BY_IDS_MAX = 100;

/**
 * The unique constraint, not a prior lookup, decides whether a SKU is taken: two admins creating the
 * same SKU at once both pass any check, and only one insert can win.
 */
async function flushClaimingSku(em: EntityManager, sku: string | undefined): Promise<void> {
  try {
    await em.flush();
  } catch (error) {
    if (
      error instanceof UniqueConstraintViolationException &&
      (error as { constraint?: string }).constraint === SKU_CONSTRAINT
    ) {
      throw badUserInput(`a product with sku ${sku} already exists`, { fields: ['sku'] });
    }
    throw error;
  }
}

/** The catalog's rules: who may change it, what a valid product is, one product per SKU. */
export function createProductService(em: EntityManager, loaders: Loaders) {
  return {
    list: (request: ProductPageRequest) => listProducts(em, request),

    /** Products in the order of the ids asked, null where none matches; one statement for the batch. */
    byIds(ids: readonly string[]): Promise<Array<ProductRecord | null>> {
      if (ids.length > BY_IDS_MAX) {
        throw badUserInput(`ids must hold at most ${BY_IDS_MAX} product ids; got ${ids.length}`, {
          fields: ['ids'],
        });
      }
      return Promise.all(ids.map((id) => loaders.productById(id)));
    },

    async create(identity: Identity | null, input: ProductInput): Promise<ProductRecord> {
      requireAdmin(identity);
      const fields = validateNewProduct(input);
      const product = em.create(Product, fields);
      await flushClaimingSku(em, fields.sku);
      loaders.written(product);
      return product;
    },

    async update(identity: Identity | null, id: string, input: ProductChanges): Promise<ProductRecord> {
      requireAdmin(identity);
      const changes = validateChanges(input);
      const product = isUuid(id) ? await em.findOne(Product, { id: id.toLowerCase() }) : null;
      if (!product) throw notFound(`no product has the id ${id}`);
      em.assign(product, changes);
      await flushClaimingSku(em, changes.sku);
      loaders.written(product);
      return product;
    },
  };
}
