// The lean subgraphs composed into a supergraph of their own with @apollo/composition, as
// scripts/compose.ts composes the shop's, each subgraph's routing URL the one the bench started it at.
import { composeServices } from '@apollo/composition';
import { LEAN_SUBGRAPH_NAMES, leanTypeDefs, type LeanSubgraphName } from './subgraphs.ts';

export function composeLeanSupergraph(urls: Record<LeanSubgraphName, string>): string {
  const result = composeServices(
    LEAN_SUBGRAPH_NAMES.map((name) => ({ name, url: urls[name], typeDefs: leanTypeDefs(name) })),
  );
  if (result.errors) {
    throw new Error(
      `the lean subgraphs do not compose: ${result.errors.map((error) => error.message).join('; ')}`,
    );
  }
  return `${result.supergraphSdl.trimEnd()}\n`;
}
