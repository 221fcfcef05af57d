/**
 * Requested query cost, following Shopify's published method closely enough for throttling:
 * scalars cost 0, objects 1, a connection (a field taking `first`) costs 2 plus `first` times one
 * node (plus pageInfo once), `nodes(ids:)` costs one object per id, and a mutation costs 10.
 */
import { Kind, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode, type ValueNode } from 'graphql';

function argValue(node: ValueNode | undefined, variables: Record<string, unknown>): unknown {
  if (!node) return undefined;
  if (node.kind === Kind.VARIABLE) return variables[node.name.value];
  if (node.kind === Kind.INT) return Number(node.value);
  if (node.kind === Kind.LIST) return node.values.map((v) => argValue(v, variables));
  return undefined;
}

function selectionCost(
  set: SelectionSetNode | undefined,
  fragments: Map<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
): number {
  if (!set) return 0;
  let total = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.INLINE_FRAGMENT) {
      total += selectionCost(sel.selectionSet, fragments, variables);
    } else if (sel.kind === Kind.FRAGMENT_SPREAD) {
      total += selectionCost(fragments.get(sel.name.value)?.selectionSet, fragments, variables);
    } else if (sel.selectionSet) {
      const arg = (name: string) => argValue(sel.arguments?.find((a) => a.name.value === name)?.value, variables);
      const first = arg('first');
      const ids = arg('ids');
      if (typeof first === 'number') {
        // A connection: 2, plus `first` times one node, plus its other fields (pageInfo) once.
        let perNode = 0;
        let once = 0;
        for (const child of sel.selectionSet.selections) {
          const c = selectionCost({ kind: Kind.SELECTION_SET, selections: [child] }, fragments, variables);
          if (child.kind === Kind.FIELD && (child.name.value === 'nodes' || child.name.value === 'edges')) perNode += c;
          else once += c;
        }
        total += 2 + first * Math.max(1, perNode) + once;
      } else if (Array.isArray(ids)) total += ids.length * (1 + selectionCost(sel.selectionSet, fragments, variables));
      else total += 1 + selectionCost(sel.selectionSet, fragments, variables);
    }
  }
  return total;
}

export function requestedCost(doc: DocumentNode, operationName: string | undefined, variables: Record<string, unknown>): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  let op: OperationDefinitionNode | undefined;
  for (const def of doc.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    if (def.kind === Kind.OPERATION_DEFINITION && (!operationName || def.name?.value === operationName)) op ??= def;
  }
  if (!op) return 1;
  if (op.operation === 'mutation') return 10;
  return Math.max(1, selectionCost(op.selectionSet, fragments, variables));
}
