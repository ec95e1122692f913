import type { GraphQLDataSource } from '@apollo/gateway';

/** A subgraph's answer as the gateway takes it from a data source. */
export type GatewayGraphQLResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;

/**
 * The distinct representations of an `_entities` fetch and, for each original position, where its
 * representation sits among them. @apollo/gateway sends one representation per occurrence in the
 * response (the same product under 50 order items is sent 50 times); a subgraph resolves each distinct
 * one once this way, and the response is spread back to every occurrence.
 */
export interface DedupedRepresentations {
  unique: unknown[];
  indexOf: number[];
}

export function dedupeRepresentations(representations: unknown[]): DedupedRepresentations {
  // Serializing every representation costs several microseconds each, and most fetches hold no
  // duplicate at all. Representations that differ in type or id differ, so when no two share both,
  // every one is distinct and none is serialized.
  if (allDistinct(representations))
    return { unique: representations, indexOf: representations.map((_, i) => i) };
  const positions = new Map<string, number>();
  const unique: unknown[] = [];
  const indexOf = representations.map((representation) => {
    // The gateway builds every representation of a fetch from the same selection, so equal ones
    // serialize alike.
    const key = JSON.stringify(representation);
    let position = positions.get(key);
    if (position === undefined) {
      position = unique.length;
      positions.set(key, position);
      unique.push(representation);
    }
    return position;
  });
  return { unique, indexOf };
}

/** True when no two representations share a type and an id; false may still mean all distinct. */
function allDistinct(representations: unknown[]): boolean {
  const seen = new Set<string>();
  for (const representation of representations) {
    const { __typename: type, id } = (representation ?? {}) as { __typename?: unknown; id?: unknown };
    if (typeof type !== 'string' || typeof id !== 'string') return false;
    const hint = `${type}\u0000${id}`;
    if (seen.has(hint)) return false;
    seen.add(hint);
  }
  return true;
}

/**
 * The subgraph's answer for the distinct representations, as if it had been asked for every occurrence:
 * `_entities[i]` for each original position, and an error about entity i once per occurrence of it.
 */
export function expandEntities(response: GatewayGraphQLResponse, indexOf: number[]): GatewayGraphQLResponse {
  const entities = response.data?._entities;
  const data =
    response.data && Array.isArray(entities)
      ? { ...response.data, _entities: indexOf.map((position) => entities[position] ?? null) }
      : response.data;
  const errors = response.errors?.flatMap((error) => {
    const [root, position, ...rest] = error.path ?? [];
    if (root !== '_entities' || typeof position !== 'number') return [error];
    return indexOf.flatMap((unique, original) =>
      unique === position ? [{ ...error, path: ['_entities', original, ...rest] }] : [],
    );
  });
  return { ...response, data, ...(errors ? { errors } : {}) };
}
