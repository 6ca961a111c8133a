/**
 * Reverse-mode differentiation at compile time: walks the forward graph backwards from the seeded
 * values and appends, through the rule table, the nodes that compute the gradient with respect to one
 * input. Only activation gradients exist; weights are constants. Gradients of a value read by several
 * nodes (residual fan-out) are summed.
 */
import { HeatlensError } from '../errors.js';
import { GraphBuilder } from '../ir/builder.js';
import { type Graph, type Node, consumers } from '../ir/graph.js';
import { findFusion } from './fusions.js';
import { backwardRules, hasBackwardRule } from './rules/index.js';
import type { RectifierRule } from './types.js';
import { sumAll } from './util.js';

export interface BackwardRequest {
  /** The value differentiated against (usually the image input). */
  wrt: string;
  /** Seeds: value name → name of the gradient flowing into it (e.g. one-hot on the logits). */
  seeds: ReadonlyMap<string, string>;
  rectifier: RectifierRule;
}

/** Values that depend on `source` (forward reachability). */
export function dependents(graph: Graph, source: string): Set<string> {
  const reached = new Set([source]);
  for (const node of graph.nodes) {
    if (node.inputs.some((i) => reached.has(i))) for (const o of node.outputs) if (o) reached.add(o);
  }
  return reached;
}

/** Values some seed depends on (backward reachability). */
function ancestors(graph: Graph, targets: Iterable<string>): Set<string> {
  const reached = new Set(targets);
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i];
    if (node.outputs.some((o) => reached.has(o))) for (const x of node.inputs) if (x) reached.add(x);
  }
  return reached;
}

/** Nodes on a path from `wrt` to a seed, in forward order. */
export function activeNodes(graph: Graph, wrt: string, seeds: Iterable<string>): Node[] {
  const down = dependents(graph, wrt);
  const up = ancestors(graph, seeds);
  return graph.nodes.filter((n) => n.inputs.some((i) => down.has(i)) && n.outputs.some((o) => up.has(o)));
}

/** Throws one error listing every op on the differentiated path that has no backward rule. */
export function checkDifferentiable(nodes: readonly Node[]): void {
  const missing = new Map<string, string[]>();
  for (const n of nodes) if (!hasBackwardRule(n.op)) missing.set(n.op, [...(missing.get(n.op) ?? []), n.name]);
  if (missing.size === 0) return;
  const list = [...missing].map(([op, names]) => `${op} (${names.slice(0, 5).join(', ')}${names.length > 5 ? `, … ${names.length} nodes` : ''})`);
  throw new HeatlensError(`no backward rule for: ${list.join('; ')}`, 'E_UNSUPPORTED_OP');
}

/** Appends the backward pass to `graph` and returns the name of ∂(seeded scores)/∂wrt. */
export function appendBackward(graph: Graph, request: BackwardRequest): string {
  const nodes = activeNodes(graph, request.wrt, request.seeds.keys());
  checkDifferentiable(nodes);
  const needsGrad = dependents(graph, request.wrt);
  const b = new GraphBuilder(graph, 'grad_');
  const contributions = new Map<string, string[]>();
  const push = (value: string, grad: string) => contributions.set(value, [...(contributions.get(value) ?? []), grad]);
  for (const [value, grad] of request.seeds) push(value, grad);
  const total = (value: string): string | undefined => {
    const terms = contributions.get(value);
    if (!terms?.length) return undefined;
    const sum = sumAll(b, terms);
    contributions.set(value, [sum]);
    return sum;
  };
  const producerOf = new Map(nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  // Readers among the differentiated nodes only: other readers (earlier backward passes, branches that
  // do not reach the score) send no gradient back and do not block a fusion.
  const readers = consumers({ ...graph, nodes });
  const fused = new Set<Node>();
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i];
    if (fused.has(node)) continue;
    const dy = node.outputs.map((o) => (o ? total(o) : undefined));
    if (dy.every((g) => g === undefined)) continue;
    const fusion = dy[0] ? findFusion(b, node, (v) => producerOf.get(v), (v) => (readers.get(v)?.length ?? 0) === 1 && !graph.outputs.includes(v)) : undefined;
    if (fusion && needsGrad.has(fusion.producer.inputs[0])) {
      fused.add(fusion.producer);
      push(fusion.producer.inputs[0], fusion.build(b, dy[0]!, request.rectifier));
      continue;
    }
    const rule = backwardRules[node.op as keyof typeof backwardRules];
    const needs = (k: number) => Boolean(node.inputs[k]) && needsGrad.has(node.inputs[k]);
    const grads = rule({ b, node, dy, needs, rectifier: request.rectifier });
    grads.forEach((g, k) => {
      if (g && needs(k)) push(node.inputs[k], g);
    });
  }
  const result = total(request.wrt);
  if (!result) throw new HeatlensError(`the target does not depend on input '${request.wrt}'`, 'E_GRAPH');
  return result;
}
