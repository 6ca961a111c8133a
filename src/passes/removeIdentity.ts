/** Drops Identity and inference-mode Dropout by renaming their consumers' inputs to their input. */
import type { Graph, Node } from '../ir/graph.js';

const PASS_THROUGH = new Set(['Identity', 'Dropout']);

export function removeIdentities(graph: Graph): Graph {
  const rename = new Map<string, string>();
  const resolve = (name: string): string => rename.get(name) ?? name;
  const kept: Node[] = [];
  for (const node of graph.nodes) {
    const inputs = node.inputs.map(resolve);
    // A pass-through whose output is a graph output must stay: the output name is part of the interface.
    const isOutput = graph.outputs.includes(node.outputs[0]);
    const maskUnused = node.outputs.length < 2 || !node.outputs[1];
    if (PASS_THROUGH.has(node.op) && !isOutput && maskUnused) {
      rename.set(node.outputs[0], inputs[0]);
      graph.values.delete(node.outputs[0]);
      continue;
    }
    kept.push(inputs.every((x, i) => x === node.inputs[i]) ? node : { ...node, inputs });
  }
  graph.nodes = kept;
  return graph;
}
