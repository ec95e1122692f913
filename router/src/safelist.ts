import type { ApolloServerPlugin } from '@apollo/server';
import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import { GraphQLError } from 'graphql';
import type { ManifestOperation } from './persisted-query-manifest.ts';

/** Apollo Router's code for the same refusal, so clients written against either read it alike. */
export const NOT_IN_LIST = 'PERSISTED_QUERY_NOT_IN_LIST';

/**
 * Safelist mode's persisted query store: the committed manifest, read-only. A client sends an
 * operation's id and the router runs the body listed under it; nothing a client sends is ever added.
 */
export function manifestStore(operations: Map<string, ManifestOperation>): KeyValueCache<string> {
  return {
    // Apollo prefixes every key it asks its persisted query store for with `apq:`.
    get: async (key) => operations.get(key.replace(/^apq:/, ''))?.body,
    set: async () => {},
    delete: async () => {},
  };
}

/**
 * Safelist mode: only operations from the committed manifest run, whether a client sends the id alone
 * or the full text (which must then match a listed body exactly). Anything else is refused once it has
 * parsed, before rate limits are spent or any subgraph is called. Apollo hashes the text it resolved
 * (from the id, or the text sent, whose hash it checks against a sent id) into `queryHash`.
 */
export function safelist(operations: Map<string, ManifestOperation>): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ queryHash }) {
          if (operations.has(queryHash)) return;
          throw new GraphQLError(
            "This operation is not in the router's safelist: only the operations in the committed manifest run here.",
            { extensions: { code: NOT_IN_LIST, http: { status: 400 } } },
          );
        },
      };
    },
  };
}
