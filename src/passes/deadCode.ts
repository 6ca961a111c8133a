/** Removes nodes, initializers and values that no graph output depends on. */
import type { Graph } from '../ir/graph.js';

export function removeDeadCode(graph: Graph): Graph {
  const live = new Set(graph.outputs);
  const kept = [];
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i];
    if (!node.outputs.some((o) => live.has(o))) continue;
    kept.push(node);
    for (const input of node.inputs) if (input) live.add(input);
  }
  graph.nodes = kept.reverse();
  for (const name of [...graph.initializers.keys()]) {
    if (!live.has(name) && !graph.inputs.includes(name)) graph.initializers.delete(name);
  }
  for (const name of [...graph.values.keys()]) {
    if (!live.has(name) && !graph.inputs.includes(name)) graph.values.delete(name);
  }
  return graph;
}
