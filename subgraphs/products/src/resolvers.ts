import { DateTimeScalar } from '@supergraph/server-kit';
import type { Resolvers } from './generated/resolvers-types.ts';
import { flatRateShippingEstimate } from './shipping-estimate.ts';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    products: (_, args, ctx) => ctx.products.list(args),
    product: (_, { id }, ctx) => ctx.loaders.productById(id),
    productBySku: (_, { sku }, ctx) => ctx.loaders.productBySku(sku),
    productsByIds: (_, { ids }, ctx) => ctx.products.byIds(ids),
  },
  Mutation: {
    createProduct: (_, { input }, ctx) => ctx.products.create(ctx.identity, input),
    updateProduct: (_, { id, input }, ctx) => ctx.products.update(ctx.identity, id, input),
  },
  Product: {
    // Other subgraphs refer to a product by either key; both are batched per request.
    __resolveReference: (reference, ctx) =>
      'id' in reference ? ctx.loaders.productById(reference.id) : ctx.loaders.productBySku(reference.sku),
    shippingEstimate: (product) => flatRateShippingEstimate(product),
  },
  ProductConnection: {
    totalCount: (page) => page.countTotal(),
  },
};
