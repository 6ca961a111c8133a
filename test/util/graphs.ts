/** Small graphs for rule tests: one input `x`, ops built by a callback, one output. */
import { GraphBuilder } from '../../src/ir/builder.js';
import { type Graph, emptyGraph } from '../../src/ir/graph.js';
import { floatTensor, makeTensor } from '../../src/ir/tensor.js';
import { Random } from './random.js';

export function graphOf(xShape: number[], build: (b: GraphBuilder, x: string) => string): Graph {
  const graph = emptyGraph('test');
  graph.inputs = ['x'];
  graph.values.set('x', { dtype: 'float32', shape: xShape });
  const b = new GraphBuilder(graph);
  graph.outputs = [build(b, 'x')];
  return graph;
}

/** A float32 constant of normal samples. */
export function randomConstant(b: GraphBuilder, rnd: Random, dims: number[], scale = 1, hint = 'w'): string {
  const n = dims.reduce((a, c) => a * c, 1);
  return b.constant(floatTensor(dims, Float32Array.from(rnd.normals(n, scale))), hint);
}

export const ints = (values: number[]) => makeTensor('int64', [values.length], values);
