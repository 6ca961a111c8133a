/**
 * Constant folding: a node whose inputs are all compile-time constants is evaluated once (by the
 * reference interpreter) and replaced by initializers; Shape of a statically shaped value is a constant.
 */
import type { Graph, Node } from '../ir/graph.js';
import { getInt } from '../ir/graph.js';
import { makeTensor } from '../ir/tensor.js';
import { evaluateNode } from '../interp/run.js';

/** Folds `node` (already in `graph`, with inferred outputs) if it is constant. Returns whether it did. */
export function foldNodeIfConstant(graph: Graph, node: Node): boolean {
  let outputs;
  if (node.op === 'Shape') {
    const shape = graph.values.get(node.inputs[0])!.shape;
    const rank = shape.length;
    const norm = (v: number) => Math.min(rank, Math.max(0, v < 0 ? v + rank : v));
    const dims = shape.slice(norm(getInt(node, 'start', 0)), norm(getInt(node, 'end', rank)));
    outputs = [makeTensor('int64', [dims.length], dims)];
  } else {
    const inputs = node.inputs.map((name) => (name ? graph.initializers.get(name) : undefined));
    if (node.inputs.some((name, i) => name && !inputs[i])) return false;
    outputs = evaluateNode(node, inputs, node.outputs.map((o) => graph.values.get(o)!));
  }
  node.outputs.forEach((name, i) => {
    if (name) graph.initializers.set(name, outputs[i]);
  });
  const index = graph.nodes.lastIndexOf(node);
  if (index >= 0) graph.nodes.splice(index, 1);
  return true;
}

/** Folds every constant node of `graph` in order. */
export function foldConstants(graph: Graph): Graph {
  for (const node of [...graph.nodes]) foldNodeIfConstant(graph, node);
  return graph;
}
