import type { ApolloServerOptions, ApolloServerPlugin, BaseContext } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { GraphQLArmorCallbackConfiguration } from '@escape.tech/graphql-armor-types';
import { GraphQLError } from 'graphql';
import type { Env } from './env.ts';

type LimitsEnv = Pick<Env, 'MAX_DEPTH' | 'MAX_ALIASES' | 'MAX_DIRECTIVES' | 'MAX_COST' | 'MAX_TOKENS'>;

/**
 * The cost model (graphql-armor's defaults): a field with a selection set costs 2, a leaf 1, each level
 * below multiplies what it holds by 1.5, and a literal `first`/`last` multiplies its subtree by the page
 * size. Kept fixed so MAX_COST alone is the knob and keeps one meaning across deployments.
 */
const COST_WEIGHTS = { objectCost: 2, scalarCost: 1, depthCostFactor: 1.5 };

/**
 * graphql-armor prefixes every refusal with "Syntax Error: ", which it is not, and by default reports it
 * as BAD_USER_INPUT, which Apollo then overrides. Reported here instead as a plain validation error:
 * Apollo answers it with 400 and GRAPHQL_VALIDATION_FAILED, and the message names the limit and the
 * number found ("Query depth limit of 10 exceeded, found 11.").
 */
const refuse = (): GraphQLArmorCallbackConfiguration => ({
  propagateOnRejection: false,
  onReject: [
    (context, error) => context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, ''))),
  ],
});

/**
 * What the router refuses before planning a query, so no subgraph is ever called for it: documents too
 * deep, too aliased, too directive-heavy, too costly (graphql-armor validation rules) or too long (the
 * parser's own token limit), batched HTTP requests, and requests a browser could send cross-site without
 * a preflight. Spread into the ApolloServer options.
 */
export function operationLimits(env: LimitsEnv) {
  const armor = new ApolloArmor({
    // Fragments (colocated per component by Apollo Client and Relay) do not make the response deeper
    // or bigger, so they are not counted as levels of their own.
    maxDepth: { n: env.MAX_DEPTH, flattenFragments: true, ...refuse() },
    maxAliases: { n: env.MAX_ALIASES, ...refuse() },
    maxDirectives: { n: env.MAX_DIRECTIVES, ...refuse() },
    costLimit: { maxCost: env.MAX_COST, ...COST_WEIGHTS, flattenFragments: true, ...refuse() },
    // armor's Apollo plugin for tokens throws from a parsing hook, which Apollo answers with a 500; the
    // same limit in graphql-js's parser (parseOptions below) refuses with a 400 and reads no further.
    maxTokens: { enabled: false },
    // Its pattern leaves a stray "?" and misses enum suggestions; hideSchemaHints below does both.
    blockFieldSuggestion: { enabled: false },
  });
  const { validationRules } = armor.protect();
  return {
    validationRules,
    parseOptions: { maxTokens: env.MAX_TOKENS },
    // A JSON array of operations would multiply every other limit by its length.
    allowBatchedHttpRequests: false,
    // Refuses GET and form/text posts that carry no header a browser would have to preflight, so
    // another site cannot make a signed-in browser run operations here.
    csrfPrevention: true,
    // Apollo's own suggestion stripping for validation errors; hideSchemaHints covers the rest.
    hideSchemaDetailsFromClientErrors: true,
  } satisfies Partial<ApolloServerOptions<BaseContext>>;
}

const TOKEN_LIMIT = /^Syntax Error: Document contains more tha[nt] (\d+) tokens\. Parsing aborted\.$/;

/**
 * Words graphql-js's token-limit refusal ("Document contains more that 2000 tokens", sic) like the other
 * limits. Its code stays GRAPHQL_PARSE_FAILED: the parser refused the document, so it was never whole.
 */
export const tokenLimitMessage: ApolloServerPlugin<BaseContext> = {
  async requestDidStart() {
    return {
      async didEncounterErrors({ errors }) {
        for (const error of errors) {
          const limit = TOKEN_LIMIT.exec(error.message)?.[1];
          if (limit) error.message = `Token limit of ${limit} exceeded.`;
        }
      },
    };
  },
};

const SUGGESTION = / ?Did you mean [^?]*\?/g;

/**
 * Removes graphql-js's "Did you mean ...?" from every error, whatever the mode: those hints spell out
 * field, argument, type and enum names to anyone probing with typos, which is how schemas are rebuilt
 * with introspection turned off. Validation errors are covered by Apollo's own option, but a variable
 * that fails to coerce ('Value "ADMN" does not exist in "Role" enum. Did you mean the enum value
 * "ADMIN"?') is reported during execution, after it. Development keeps nothing by having them: Sandbox
 * completes names from introspection there.
 */
export const hideSchemaHints: ApolloServerPlugin<BaseContext> = {
  async requestDidStart() {
    return {
      async didEncounterErrors({ errors }) {
        for (const error of errors) error.message = error.message.replace(SUGGESTION, '');
      },
    };
  },
};
