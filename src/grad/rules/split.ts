/**
 * Split along `axis` into parts of the given sizes (input 1 from opset 13; the opset 11–12 attribute and
 * opset 18's num_outputs are upgraded to it on import): dX = Concat(dY_0, …, dY_{k−1}) along the axis,
 * with zeros for parts that receive no gradient.
 */
import { attr, getInt } from '../../ir/graph.js';
import { makeTensor } from '../../ir/tensor.js';
import type { BackwardRule } from '../types.js';

export const split: BackwardRule = ({ b, node, dy, needs }) => {
  if (!needs(0) || dy.every((g) => g === undefined)) return [];
  const rank = b.rank(node.inputs[0]);
  const raw = getInt(node, 'axis', 0);
  const axis = raw < 0 ? raw + rank : raw;
  const parts = node.outputs.map((out, i) => {
    if (dy[i]) return dy[i]!;
    const shape = b.shape(out);
    return b.op('ConstantOfShape', [b.int64([...shape])], { value: attr.tensor(makeTensor('float32', [1], [0])) }, 'split_zero');
  });
  return [parts.length === 1 ? parts[0] : b.op('Concat', parts, { axis: attr.int(axis) }, 'split_dx')];
};
