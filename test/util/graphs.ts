/** Small graphs for rule tests: one input `x`, ops built by a callback, one output. */
import { GraphBuilder } from '../../src/ir/builder.js';
import { type Attrs, type Graph, emptyGraph } from '../../src/ir/graph.js';
import { type Tensor, floatTensor, makeTensor } from '../../src/ir/tensor.js';
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

/** A node input for oneNodeGraph: a constant tensor, a fed input ({ feed }), or omitted. */
export type NodeInput = Tensor | { feed: Tensor } | undefined;

/** A graph of one `op` node: fed inputs become graph inputs in0, in1, …; constants initializers. */
export function oneNodeGraph(op: string, ins: readonly NodeInput[], attrs: Attrs = {}, outputs = 1): { graph: Graph; feeds: Record<string, Tensor> } {
  const graph = emptyGraph(op);
  const b = new GraphBuilder(graph);
  const feeds: Record<string, Tensor> = {};
  const names = ins.map((x, i) => {
    if (x === undefined) return '';
    if ('feed' in x) {
      const name = `in${i}`;
      graph.inputs.push(name);
      graph.values.set(name, { dtype: x.feed.dtype, shape: x.feed.dims });
      feeds[name] = x.feed;
      return name;
    }
    return b.constant(x, `c${i}`);
  });
  graph.outputs = b.nodeOutputs(op, names, attrs, outputs);
  return { graph, feeds };
}
