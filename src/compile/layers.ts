/**
 * Target layers for CAM methods: values of rank 4 with spatial size > 1 that lie on a path from the
 * input to the target score. `--layer` names a value or a node (its first output); by default the last
 * such value in topological order.
 */
import { HeatlensError } from '../errors.js';
import { activeNodes } from '../grad/backward.js';
import type { Graph } from '../ir/graph.js';

export function layerCandidates(graph: Graph, input: string, score: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const node of activeNodes(graph, input, [score])) {
    for (const o of node.outputs) {
      const shape = graph.values.get(o)?.shape;
      if (!o || seen.has(o) || !shape || shape.length !== 4 || shape[2] * shape[3] <= 1) continue;
      seen.add(o);
      out.push(o);
    }
  }
  return out;
}

export function resolveLayer(graph: Graph, input: string, score: string, requested?: string): string {
  const candidates = layerCandidates(graph, input, score);
  if (candidates.length === 0) throw new HeatlensError('the model has no layer with spatial size > 1 on the path to the score', 'E_LAYER');
  if (requested === undefined) return candidates[candidates.length - 1];
  const byNode = graph.nodes.find((n) => n.name === requested)?.outputs[0];
  const value = graph.values.has(requested) ? requested : byNode;
  if (value && candidates.includes(value)) return value;
  const shown = candidates.length > 12 ? [...candidates.slice(0, 4), '…', ...candidates.slice(-8)] : candidates;
  const why = value ? `'${requested}' has shape [${graph.values.get(value)?.shape}], not a 4-D map with spatial size > 1 on the path to the score` : `no layer named '${requested}'`;
  throw new HeatlensError(`${why}; candidates: ${shown.join(', ')}`, 'E_LAYER');
}
