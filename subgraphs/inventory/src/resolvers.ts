import type { Resolvers } from './generated/resolvers-types.ts';
import { shippingInputs } from './product-reference.ts';
import { shippingEstimate } from './shipping-estimate.ts';

export const resolvers: Resolvers = {
  Product: {
    // No lookup here: stock loads per field (batched), and a fetch that needs only shippingEstimate,
    // computed from what the router sent, costs no statement at all.
    __resolveReference: (reference) => reference,
    stock: (product, _, ctx) => ctx.loaders.availableUnits(product.id),
    inStock: async (product, _, ctx) => (await ctx.loaders.availableUnits(product.id)) > 0,
    shippingEstimate: (product) => shippingEstimate(shippingInputs(product)),
  },
  Mutation: {
    restock: async (_, { productId, quantity }, ctx) => {
      const level = await ctx.stock.restock(ctx.identity, productId, quantity);
      ctx.loaders.prime(level);
      // The router fills in the product's other fields from products through this reference.
      return { id: level.productId };
    },
  },
};
