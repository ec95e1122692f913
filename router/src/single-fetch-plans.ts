import { createHash } from 'node:crypto';
import type { Experimental_DidResolveQueryPlanCallback, GraphQLDataSource } from '@apollo/gateway';
import { operationFromDocument, Supergraph, type Operation, type Schema } from '@apollo/federation-internals';
import {
  Kind,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { LRUCache } from 'lru-cache';

type DidResolveQueryPlan = Parameters<Experimental_DidResolveQueryPlanCallback>[0];
type PlanNode = NonNullable<DidResolveQueryPlan['queryPlan']['node']>;
export type FetchNode = Extract<PlanNode, { kind: 'Fetch' }>;

/** An operation one subgraph answers alone, with everything its execution needs, worked out once. */
export interface SingleFetchOperation {
  /** sha256 of the document's text, as Apollo Server names it (`queryHash`, the safelist's key). */
  queryHash: string;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  /** The operation's own name; null for an anonymous one. */
  operationName: string | null;
  /** The API schema it was validated and planned against. */
  schema: GraphQLSchema;
  /** The plan's only node. */
  fetch: FetchNode;
  /** The data source the gateway sends that fetch through (its subgraph's breaker and pool). */
  dataSource: GraphQLDataSource;
  /** The operation in the form the gateway shapes the subgraph's data with (resultShaping.ts). */
  shape: Operation;
}

export interface SingleFetchPlans {
  /** The gateway's `experimental_didResolveQueryPlan`: keeps each operation whose plan is one fetch. */
  learn: Experimental_DidResolveQueryPlanCallback;
  /** For `gateway.onSchemaLoadOrUpdate`: a new supergraph makes every plan kept so far stale. */
  useSupergraph: (update: { apiSchema: GraphQLSchema; coreSupergraphSdl: string }) => void;
  /** The operation a client's `query` and `operationName` select, if the gateway planned it as one fetch. */
  find: (query: string, operationName: string | undefined) => SingleFetchOperation | undefined;
}

/**
 * The operations the gateway planned as a single fetch to one subgraph, which the router may run without
 * the gateway's executor (single-fetch-execution.ts). They are learnt from the gateway itself, as it
 * plans them, so the plan is the very one it would run: an operation's first request always goes through
 * the gateway, and so does every request after a supergraph reload until it has planned the operation
 * again. Kept by the client's text and operation name, the two things that select the operation.
 *
 * A plan qualifies when its only node is a fetch with no inputs (`requires`, so no entity fetches) and no
 * rewrites of what it sends or receives (@interfaceObject, @context), and the operation asks for no
 * introspection (`__schema`, `__type`), which the gateway answers itself. Conditions (`@skip`/`@include`
 * on a root field with a variable), Sequences (several mutations) and Defers are other node kinds.
 */
export function createSingleFetchPlans(options: { maxOperations: number }): SingleFetchPlans {
  // The gateway's API schema in the form its result shaping takes, and the graphql-js one it plans
  // against, for the supergraph it serves now.
  let current: { schema: GraphQLSchema; api: Schema } | undefined;
  const operations = new LRUCache<string, Map<string | undefined, SingleFetchOperation>>({
    max: options.maxOperations,
  });

  const learn: Experimental_DidResolveQueryPlanCallback = ({
    queryPlan,
    serviceMap,
    operationContext,
    requestContext,
  }) => {
    // A plan made for the supergraph before a reload is not kept: its operation was checked against it.
    if (!current || operationContext.schema !== current.schema) return;
    const { source, document, operation, operationName } = requestContext;
    const node = queryPlan.node;
    if (typeof source !== 'string' || node?.kind !== 'Fetch' || !qualifies(node)) return;
    const dataSource = serviceMap[node.serviceName];
    if (!dataSource || asksIntrospection(operationContext.operation, operationContext.fragments)) return;
    const name = requestContext.request.operationName;
    const named = operations.get(source) ?? new Map<string | undefined, SingleFetchOperation>();
    if (named.has(name)) return;
    let shape: Operation;
    try {
      // As @apollo/gateway's executeQueryPlan builds it for every request.
      shape = operationFromDocument(
        current.api,
        {
          kind: Kind.DOCUMENT,
          definitions: [operationContext.operation, ...Object.values(operationContext.fragments)],
        },
        { validate: false },
      );
    } catch {
      // The gateway answers this one with the error; it keeps doing so.
      return;
    }
    named.set(name, {
      queryHash: createHash('sha256').update(source).digest('hex'),
      document,
      operation,
      operationName,
      schema: operationContext.schema,
      fetch: node,
      dataSource,
      shape,
    });
    operations.set(source, named);
  };

  return {
    learn,
    useSupergraph({ apiSchema, coreSupergraphSdl }) {
      operations.clear();
      // The gateway builds its own the same way; its instance is private to it.
      current = { schema: apiSchema, api: Supergraph.build(coreSupergraphSdl).apiSchema() };
    },
    find: (query, operationName) => operations.get(query)?.get(operationName),
  };
}

function qualifies(fetch: FetchNode): boolean {
  return (
    fetch.requires === undefined &&
    !fetch.inputRewrites?.length &&
    !fetch.outputRewrites?.length &&
    !fetch.contextRewrites?.length &&
    !fetch.hasDefers
  );
}

/** Whether the operation selects `__schema` or `__type` anywhere (only valid at its root). */
function asksIntrospection(
  operation: OperationDefinitionNode,
  fragments: Record<string, { selectionSet: SelectionSetNode }>,
): boolean {
  const selects = (selectionSet: SelectionSetNode): boolean =>
    selectionSet.selections.some((selection) => {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        return (
          name === '__schema' ||
          name === '__type' ||
          (!!selection.selectionSet && selects(selection.selectionSet))
        );
      }
      return selection.kind === Kind.INLINE_FRAGMENT && selects(selection.selectionSet);
    });
  return selects(operation.selectionSet) || Object.values(fragments).some((f) => selects(f.selectionSet));
}
