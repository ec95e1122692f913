// What breaks a schema's clients, by graphql-inspector's diff, plus one project rule: federation's
// type-system directives are not part of what a client can send.
import { Supergraph } from '@apollo/federation-internals';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { type Change, ChangeType, CriticalityLevel, diff, type Rule } from '@graphql-inspector/core';
import { DirectiveLocation, type GraphQLSchema, parse } from 'graphql';

export interface SchemaBreak {
  /** graphql-inspector's description of the change. */
  change: string;
  /** Why it breaks clients. */
  reason: string;
}

/** A subgraph schema as the router and other subgraphs see it, with _entities and _service. */
export const subgraphSchemaOf = (sdl: string) => buildSubgraphSchema(parse(sdl));
// Clients see the API schema: no join__/link__ machinery, no @inaccessible elements.
export const apiSchemaOf = (sdl: string) => Supergraph.build(sdl).apiSchema().toGraphQLJSSchema();

// One short reason per kind of break, from a client's point of view; the router and the subgraphs
// that call each other are clients of a subgraph schema too.
const REASONS: Partial<Record<string, string>> = {
  [ChangeType.FieldRemoved]: 'operations that select it fail validation',
  [ChangeType.FieldTypeChanged]: 'clients get a shape or nullability they were not written for',
  [ChangeType.FieldArgumentAdded]: 'operations that do not pass the new required argument fail validation',
  [ChangeType.FieldArgumentRemoved]: 'operations that pass it fail validation',
  [ChangeType.FieldArgumentTypeChanged]:
    'operations that omit it or pass a value of the old type fail validation',
  [ChangeType.InputFieldRemoved]: 'operations that send it fail validation',
  [ChangeType.InputFieldAdded]: 'operations that do not send the new required field fail validation',
  [ChangeType.InputFieldTypeChanged]:
    'operations that omit it or pass a value of the old type fail validation',
  [ChangeType.TypeRemoved]: 'operations and fragments that name it fail validation',
  [ChangeType.TypeKindChanged]: 'selections and fragments written for the old kind fail validation',
  [ChangeType.EnumValueRemoved]: 'operations that send it fail validation',
  [ChangeType.UnionMemberRemoved]: 'fragments on that member fail validation',
  [ChangeType.ObjectTypeInterfaceRemoved]: 'fragments on the interface no longer match the type',
  [ChangeType.DirectiveRemoved]: 'operations that use the directive fail validation',
  [ChangeType.DirectiveLocationRemoved]: 'operations that use the directive there fail validation',
  [ChangeType.DirectiveArgumentAdded]: 'operations that use the directive without the new argument fail',
  [ChangeType.DirectiveArgumentRemoved]: 'operations that pass it fail validation',
  [ChangeType.DirectiveArgumentTypeChanged]: 'operations that pass a value of the old type fail validation',
};

const EXECUTABLE_LOCATIONS = new Set<string>([
  DirectiveLocation.QUERY,
  DirectiveLocation.MUTATION,
  DirectiveLocation.SUBSCRIPTION,
  DirectiveLocation.FIELD,
  DirectiveLocation.FRAGMENT_DEFINITION,
  DirectiveLocation.FRAGMENT_SPREAD,
  DirectiveLocation.INLINE_FRAGMENT,
  DirectiveLocation.VARIABLE_DEFINITION,
]);

/**
 * An operation can only use executable directives, so changing the definition of a directive that
 * applies to the type system alone (federation's @key, @tag, ...) breaks no client. graphql-inspector
 * calls every directive removal breaking, which would flag e.g. importing @tag by its short name.
 */
const typeSystemDirectivesAreSafe: Rule = ({ changes, oldSchema }) =>
  changes.map((change) => {
    if (change.criticality.level !== CriticalityLevel.Breaking || !change.path?.startsWith('@'))
      return change;
    const directive = oldSchema?.getDirective(change.path.slice(1).split('.')[0] ?? '');
    const locations: readonly string[] =
      change.type === ChangeType.DirectiveLocationRemoved
        ? [(change.meta as { removedDirectiveLocation: string }).removedDirectiveLocation]
        : (directive?.locations ?? []);
    if (!directive || locations.some((location) => EXECUTABLE_LOCATIONS.has(location))) return change;
    return { ...change, criticality: { level: CriticalityLevel.NonBreaking } };
  });

function reasonFor(change: Change): string {
  return REASONS[change.type] ?? change.criticality.reason ?? 'existing operations can fail';
}

/** The changes from `before` to `after` that break clients, each with the reason. */
export async function breakingChanges(before: GraphQLSchema, after: GraphQLSchema): Promise<SchemaBreak[]> {
  const changes = await diff(before, after, [typeSystemDirectivesAreSafe]);
  return changes
    .filter((change) => change.criticality.level === CriticalityLevel.Breaking)
    .map((change) => ({ change: change.message, reason: reasonFor(change) }));
}
