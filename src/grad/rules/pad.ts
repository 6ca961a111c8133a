/**
 * Pad, constant mode: the adjoint of padding by p is padding by −p (a negative pad crops, a positive one
 * restores what a negative pad cropped, with zeros): dX = Pad(dY, −pads). Reflect and edge modes copy
 * input values into the border and are not supported yet.
 */
import { HeatlensError } from '../../errors.js';
import { getString } from '../../ir/graph.js';
import type { BackwardRule } from '../types.js';

export const pad: BackwardRule = ({ b, node, dy, needs }) => {
  const grad = dy[0];
  if (!grad || !needs(0)) return [];
  const mode = getString(node, 'mode', 'constant');
  if (mode !== 'constant') {
    throw new HeatlensError(`Pad node '${node.name}': no backward rule for mode '${mode}' (only 'constant')`, 'E_UNSUPPORTED_OP');
  }
  const pads = b.constantValue(node.inputs[1]);
  if (!pads) throw new HeatlensError(`Pad node '${node.name}': pads must be constant`);
  const negated = Array.from(pads.data, (p) => -p);
  return [b.op('Pad', [grad, b.int64(negated, 'pads')], { mode: { type: 'string', value: 'constant' } })];
};
