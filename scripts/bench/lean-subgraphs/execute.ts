// How a lean subgraph answers a GraphQL-over-HTTP body: one operation, or a batch (a JSON array of them,
// answered with an array in the same order). Each distinct document is parsed and validated once; after
// that a request costs graphql-js's execution and the JSON around it, and nothing else: the subgraph
// must cost little next to the gateway in front of it.
import {
  execute,
  GraphQLError,
  parse,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';

/** Distinct documents kept parsed and validated; a gateway sends a few dozen at most. */
const DOCUMENT_CACHE_ENTRIES = 1_000;

export interface Answer {
  status: number;
  /** One result, or one per operation of a batch. */
  payload: ExecutionResult | ExecutionResult[];
}

const badRequest = (message: string): ExecutionResult => ({
  errors: [new GraphQLError(message, { extensions: { code: 'BAD_REQUEST' } })],
});

export function createExecutor(schema: GraphQLSchema) {
  const documents = new Map<string, DocumentNode | readonly GraphQLError[]>();

  function documentFor(query: string): DocumentNode | readonly GraphQLError[] {
    let cached = documents.get(query);
    if (cached) return cached;
    try {
      const document = parse(query);
      const errors = validate(schema, document);
      cached = errors.length > 0 ? errors : document;
    } catch (error) {
      cached = [error instanceof GraphQLError ? error : new GraphQLError(String(error))];
    }
    if (documents.size < DOCUMENT_CACHE_ENTRIES) documents.set(query, cached);
    return cached;
  }

  /** One operation of the body; null when it is not shaped like one. */
  async function executeOne(operation: unknown, context: object): Promise<ExecutionResult | null> {
    if (typeof operation !== 'object' || operation === null) return null;
    const { query, variables, operationName } = operation as Record<string, unknown>;
    if (typeof query !== 'string') return null;
    if (variables != null && (typeof variables !== 'object' || Array.isArray(variables))) return null;
    if (operationName != null && typeof operationName !== 'string') return null;
    const document = documentFor(query);
    if (!('kind' in document)) return { errors: document };
    return execute({
      schema,
      document,
      contextValue: context,
      variableValues: (variables as Record<string, unknown> | null | undefined) ?? null,
      operationName: (operationName as string | null | undefined) ?? null,
    });
  }

  const NOT_AN_OPERATION = 'each operation must be an object with a string `query`';

  /**
   * Answers a parsed JSON body. A batch's operations run together with one context object, as they
   * would share per-request state (loaders) in a real subgraph; a malformed member gets its own error
   * and the rest still run.
   */
  async function answer(body: unknown): Promise<Answer> {
    const context = {};
    if (!Array.isArray(body)) {
      const result = await executeOne(body, context);
      return result
        ? { status: 200, payload: result }
        : { status: 400, payload: badRequest(NOT_AN_OPERATION) };
    }
    if (body.length === 0)
      return { status: 400, payload: badRequest('a batch must hold at least one operation') };
    const results = await Promise.all(body.map((operation) => executeOne(operation, context)));
    return { status: 200, payload: results.map((result) => result ?? badRequest(NOT_AN_OPERATION)) };
  }

  return { answer };
}
