import { describe, expect, it } from '@jest/globals';
import { planInWaves, type PlanNode } from '../src/plan-waves.ts';

// How the router reorders a plan's fetches into waves: every fetch still after the fetches it waits
// for, a subgraph's fetches of one wave together, and a plan left alone when that saves no request.

const fetch = (serviceName: string, label: string): PlanNode => ({
  kind: 'Fetch',
  serviceName,
  operation: `{ ${label} }`,
  operationName: undefined,
  operationKind: 'query' as never,
});
const flatten = (path: string, node: PlanNode): PlanNode => ({
  kind: 'Flatten',
  path: path.split('.'),
  node,
});
const sequence = (...nodes: PlanNode[]): PlanNode => ({ kind: 'Sequence', nodes });
const parallel = (...nodes: PlanNode[]): PlanNode => ({ kind: 'Parallel', nodes });
const all = () => true;

const waves = (node: PlanNode, canBatch: (subgraph: string) => boolean = all) => planInWaves(node, canBatch);

describe('planInWaves', () => {
  it("starts two branches' fetches of each level together", () => {
    const users = sequence(
      fetch('accounts', 'users'),
      flatten('users.@', fetch('reviews', 'users reviews')),
      flatten('users.@.reviews.@.product', fetch('products', 'users products')),
    );
    const top = sequence(
      fetch('products', 'topProducts'),
      flatten('topProducts.@', fetch('reviews', 'top reviews')),
      flatten('topProducts.@.reviews.@.author', fetch('accounts', 'top authors')),
    );

    expect(waves(parallel(users, top))).toEqual(
      sequence(
        parallel(fetch('accounts', 'users'), fetch('products', 'topProducts')),
        parallel(
          flatten('users.@', fetch('reviews', 'users reviews')),
          flatten('topProducts.@', fetch('reviews', 'top reviews')),
        ),
        parallel(
          flatten('users.@.reviews.@.product', fetch('products', 'users products')),
          flatten('topProducts.@.reviews.@.author', fetch('accounts', 'top authors')),
        ),
      ),
    );
  });

  it('keeps a @requires fetch after the fetch of what it requires, and moves a free fetch to join it', () => {
    const stock = flatten('me.orders.@.product', fetch('inventory', 'stock'));
    const price = flatten('me.orders.@.product', fetch('products', 'price'));
    const shipping = flatten('me.orders.@.product', fetch('inventory', 'shippingEstimate (requires price)'));
    const plan = sequence(
      fetch('users', 'me'),
      flatten('me', fetch('orders', 'orders')),
      parallel(stock, flatten('me.orders.@', fetch('payments', 'payment')), sequence(price, shipping)),
    );

    // Stock waits for nothing after the orders: it goes with shippingEstimate, in one inventory request.
    expect(waves(plan)).toEqual(
      sequence(
        fetch('users', 'me'),
        flatten('me', fetch('orders', 'orders')),
        parallel(flatten('me.orders.@', fetch('payments', 'payment')), price),
        parallel(stock, shipping),
      ),
    );
  });

  it('moves a fetch no later than a fetch that waits for it', () => {
    const early = flatten('a', fetch('inventory', 'early'));
    const plan = parallel(
      sequence(fetch('products', 'a'), early, flatten('a', fetch('reviews', 'after early'))),
      sequence(
        fetch('products', 'x'),
        flatten('x', fetch('reviews', 'x1')),
        flatten('x', fetch('inventory', 'late')),
      ),
    );

    // `early` would join `late`'s inventory request, but the reviews fetch after it would then wait.
    expect(waves(plan)).toEqual(
      sequence(
        parallel(fetch('products', 'a'), fetch('products', 'x')),
        parallel(early, flatten('x', fetch('reviews', 'x1'))),
        parallel(flatten('a', fetch('reviews', 'after early')), flatten('x', fetch('inventory', 'late'))),
      ),
    );
  });

  it('keeps each fetch inside the @skip/@include conditions that guard it', () => {
    const guarded: PlanNode = {
      kind: 'Condition',
      condition: 'withReviews',
      ifClause: sequence(fetch('products', 'p'), flatten('p', fetch('reviews', 'p reviews'))),
      elseClause: fetch('accounts', 'fallback'),
    };
    const plan = parallel(
      guarded,
      sequence(fetch('accounts', 'u'), flatten('u', fetch('reviews', 'u reviews'))),
    );

    expect(waves(plan)).toEqual(
      sequence(
        parallel(
          { kind: 'Condition', condition: 'withReviews', ifClause: fetch('products', 'p') },
          { kind: 'Condition', condition: 'withReviews', elseClause: fetch('accounts', 'fallback') },
          fetch('accounts', 'u'),
        ),
        parallel(
          {
            kind: 'Condition',
            condition: 'withReviews',
            ifClause: flatten('p', fetch('reviews', 'p reviews')),
          },
          flatten('u', fetch('reviews', 'u reviews')),
        ),
      ),
    );
  });

  it('leaves a plan alone when waves would save no request', () => {
    const chain = sequence(fetch('products', 'page'), flatten('products.@', fetch('inventory', 'stock')));
    expect(waves(chain)).toBe(chain);
    const branches = parallel(
      sequence(fetch('a', '1'), flatten('x', fetch('b', '2'))),
      sequence(fetch('c', '3'), flatten('y', fetch('d', '4'))),
    );
    expect(waves(branches)).toBe(branches);
  });

  it('saves nothing on subgraphs that take no batches', () => {
    const plan = parallel(
      sequence(fetch('accounts', 'users'), flatten('users.@', fetch('reviews', 'r1'))),
      sequence(fetch('products', 'top'), flatten('top.@', fetch('reviews', 'r2'))),
    );
    expect(waves(plan, () => false)).toBe(plan);
    expect(waves(plan, (subgraph) => subgraph === 'reviews')).not.toBe(plan);
  });

  it('leaves plans with @defer alone', () => {
    const plan: PlanNode = {
      kind: 'Defer',
      primary: { node: parallel(fetch('a', '1'), fetch('a', '2')) },
      deferred: [],
    };
    expect(waves(plan)).toBe(plan);
  });
});
