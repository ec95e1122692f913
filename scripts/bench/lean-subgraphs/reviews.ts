// The reviews subgraph of the public graphql-gateways-benchmark: eleven reviews of four products, all by
// the same author as far as this subgraph answers (the benchmark's own does so), answered from memory.
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';

interface Review {
  id: string;
  body: string;
  product: { upc: string };
}

const LOREM_IPSUM =
  'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum.';
const SED_UT_PERSPICIATIS =
  'Sed ut perspiciatis unde omnis iste natus error sit voluptatem accusantium doloremque laudantium, totam rem aperiam, eaque ipsa quae ab illo inventore veritatis et quasi architecto beatae vitae dicta sunt explicabo. Nemo enim ipsam voluptatem quia voluptas sit aspernatur aut odit aut fugi';
const SED_QUIA =
  'sed quia consequuntur magni dolores eos qui ratione voluptatem sequi nesciunt. Neque porro quisquam est, qui dolorem ipsum quia dolor sit amet, consectetur, adipisci velit, sed quia non numquam eius modi tempora incidunt ut labore et dolore magnam aliquam quaerat voluptatem.';
const UT_ENIM =
  'Ut enim ad minima veniam, quis nostrum exercitationem ullam corporis suscipit laboriosam, nisi ut aliquid ex ea commodi consequatur? Quis autem';
const AT_VERO =
  'At vero eos et accusamus et iusto odio dignissimos ducimus qui blanditiis praesentium voluptatum deleniti atque corrupti quos dolores et quas molestias excepturi sint occaecati cupiditate non provident, similique sunt in culpa qui officia deserunt mollitia animi, id est laborum et dolorum fuga. Et harum quidem rerum facilis est et expedita distinctio. Nam libero tempore, cum soluta nobis est eligendi optio cumque nihil impedit quo minus id quod maxime placeat facere possimus, omnis voluptas assumenda est, omnis dolor repellendus. Temporibus autem quibusdam et aut officiis debitis aut rerum necessitatibus saepe eveniet ut et voluptates repudiandae sint et molestiae non recusandae. Itaque earum rerum hic tenetur a sapiente delectus, ut aut reiciendis voluptatibus maiores alias consequatur aut perferendis doloribus asperiores repellat.';

const review = (id: string, body: string, upc: string): Review => ({ id, body, product: { upc } });

const REVIEWS: readonly Review[] = [
  review('1', LOREM_IPSUM, '1'),
  review('2', SED_UT_PERSPICIATIS, '1'),
  review('3', SED_QUIA, '1'),
  review('4', UT_ENIM, '1'),
  review('5', LOREM_IPSUM, '2'),
  review('6', SED_UT_PERSPICIATIS, '2'),
  review('7', SED_QUIA, '2'),
  review('8', UT_ENIM, '2'),
  review('9', UT_ENIM, '3'),
  review('10', UT_ENIM, '4'),
  review('11', AT_VERO, '4'),
];

/** What the benchmark's reviews subgraph answers for any user's reviews: the first two. */
const USER_REVIEWS = REVIEWS.slice(0, 2);

export const reviewsResolvers: GraphQLResolverMap<unknown> = {
  Review: {
    __resolveReference: (reference: { id: string }) =>
      REVIEWS.find((candidate) => candidate.id === reference.id) ?? null,
    // Every review's author is the benchmark's first user, with the username this subgraph provides.
    author: () => ({ id: '1', username: 'urigo' }),
  },
  User: {
    reviews: () => USER_REVIEWS,
  },
  Product: {
    reviews: (product: { upc: string }) =>
      REVIEWS.filter((candidate) => candidate.product.upc === product.upc),
  },
};
