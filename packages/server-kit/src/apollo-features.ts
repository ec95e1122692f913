import type { ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { BREAK, visit, type DocumentNode } from 'graphql';

/** Whether a schema declares or uses `@cacheControl`: the only way its resolvers can be cacheable. */
export function usesCacheHints(typeDefs: DocumentNode): boolean {
  let found = false;
  visit(typeDefs, {
    Directive(node) {
      if (node.name.value !== 'cacheControl') return undefined;
      found = true;
      return BREAK;
    },
    DirectiveDefinition(node) {
      if (node.name.value !== 'cacheControl') return undefined;
      found = true;
      return BREAK;
    },
  });
  return found;
}

/**
 * What Apollo's cache-control plugin answers for a schema without hints: every root field defaults to
 * max-age 0, so no answer is cacheable and each one says `no-store` (the router restricts its own
 * response's cache policy by this header). Written here, without the plugin's per-field work.
 */
const NOT_CACHEABLE: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        response.http.headers.set('cache-control', 'no-store');
      },
    };
  },
};

/**
 * Apollo Server features a subgraph behind our router has no use for, turned off: each costs work on
 * every request.
 * - Cache control, unless the schema gives hints: the plugin wraps every resolver of the schema to
 *   compute a policy per field (6% of the orders subgraph's CPU on the nested read), and without hints
 *   the answer is always the `no-store` that NOT_CACHEABLE sets.
 * - Inline traces (`ftv1`): the router reports no usage to Apollo, so it never asks for them.
 * - Usage reporting: a subgraph's usage is reported by the gateway, never by the subgraph.
 */
export function subgraphApolloFeatures(typeDefs: DocumentNode): ApolloServerPlugin[] {
  return [
    ApolloServerPluginInlineTraceDisabled(),
    ApolloServerPluginUsageReportingDisabled(),
    ...(usesCacheHints(typeDefs) ? [] : [ApolloServerPluginCacheControlDisabled(), NOT_CACHEABLE]),
  ];
}
