/**
 * ReduceSum / ReduceMean over axes R: every input element contributes once to its output, so
 *   dX = Expand(dY with R kept as size-1 axes, shape(X)) · (1/Π_{r∈R} X_r for the mean).
 */
import { getInt, type Node } from '../../ir/graph.js';
import { reductionAxes } from '../../ir/ops/reduce.js';
import type { GraphBuilder } from '../../ir/builder.js';
import type { BackwardRule } from '../types.js';
import { reshapeTo } from '../util.js';

function reducedAxes(b: GraphBuilder, node: Node): number[] {
  const rank = b.rank(node.inputs[0]);
  const axes = reductionAxes({
    node,
    inputs: node.inputs.map((n) => (n ? b.info(n) : undefined)),
    constant: (i) => (node.inputs[i] ? b.constantValue(node.inputs[i]) : undefined),
  });
  return axes.length === 0 ? [...Array(rank).keys()] : axes.map((a) => (a < 0 ? a + rank : a));
}

const reduction = (mean: boolean): BackwardRule => ({ b, node, dy, needs }) => {
  const grad = dy[0];
  if (!grad || !needs(0)) return [];
  const xShape = b.shape(node.inputs[0]);
  // ReduceSum without axes and noop_with_empty_axes = 1 is the identity.
  if (node.op === 'ReduceSum' && !node.inputs[1] && getInt(node, 'noop_with_empty_axes', 0) === 1) return [grad];
  const axes = reducedAxes(b, node);
  const kept = xShape.map((d, i) => (axes.includes(i) ? 1 : d));
  const count = axes.reduce((n, a) => n * xShape[a], 1);
  const scaled = mean ? b.op('Mul', [grad, b.scalar(1 / count)]) : grad;
  return [b.op('Expand', [reshapeTo(b, scaled, kept), b.int64([...xShape])], {}, 'reduce_grad')];
};

export const reduceSum = reduction(false);
export const reduceMean = reduction(true);
