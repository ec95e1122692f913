// What the scenarios need from the seeded data before the load starts: access tokens for the bench
// customers (signed in through the users subgraph, as the login mutation does for anyone), catalog
// cursors, and product ids spread over the catalog.
import { postSignedGraphQL } from '@supergraph/identity';
import type { ScenarioData } from './scenarios.ts';
import { BENCH_PASSWORD, benchCustomerEmail, benchProductId, type SeedPlan } from './seed.ts';
import type { Stack } from './stack.ts';

const READERS = 10;
const BUYERS = 10;
const PRODUCTS = 20;
const CATALOG_PAGES = 10;

function subgraphUrl(stack: Stack, name: string): string {
  const subgraph = stack.subgraphs.find((entry) => entry.name === name);
  if (!subgraph) throw new Error(`the ${name} subgraph is not running`);
  return subgraph.url;
}

async function signIn(stack: Stack, customer: number): Promise<string> {
  const result = await postSignedGraphQL<{ login: { token: string } }>(
    subgraphUrl(stack, 'users'),
    stack.env.INTERNAL_SECRET ?? '',
    {
      query:
        'mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { token } }',
      variables: { email: benchCustomerEmail(customer), password: BENCH_PASSWORD },
    },
  );
  const token = result.data?.login.token;
  if (!token) throw new Error(`cannot sign in bench customer ${customer}: ${JSON.stringify(result.errors)}`);
  return token;
}

async function catalogCursors(stack: Stack): Promise<Array<string | null>> {
  const cursors: Array<string | null> = [null];
  while (cursors.length < CATALOG_PAGES) {
    const result = await postSignedGraphQL<{ products: { pageInfo: { endCursor: string | null } } }>(
      subgraphUrl(stack, 'products'),
      stack.env.INTERNAL_SECRET ?? '',
      {
        query: 'query ($after: String) { products(first: 20, after: $after) { pageInfo { endCursor } } }',
        variables: { after: cursors.at(-1) },
      },
    );
    const next = result.data?.products.pageInfo.endCursor;
    if (!next) throw new Error(`cannot page through the catalog: ${JSON.stringify(result.errors)}`);
    cursors.push(next);
  }
  return cursors;
}

export async function prepareScenarioData(stack: Stack, plan: SeedPlan): Promise<ScenarioData> {
  if (plan.customers < READERS + BUYERS)
    throw new Error(`the bench needs at least ${READERS + BUYERS} customers`);
  // A password hash makes each sign-in cost CPU by design (Argon2id, tens of ms); one at a time.
  const readers: string[] = [];
  const buyers: string[] = [];
  for (let customer = 1; customer <= READERS; customer += 1) readers.push(await signIn(stack, customer));
  for (let customer = READERS + 1; customer <= READERS + BUYERS; customer += 1)
    buyers.push(await signIn(stack, customer));
  const step = Math.floor(plan.products / PRODUCTS);
  const productIds = Array.from({ length: PRODUCTS }, (_, index) => benchProductId(1 + index * step));
  return { readers, buyers, productIds, catalogCursors: await catalogCursors(stack) };
}
