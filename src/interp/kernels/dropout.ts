/** Dropout in inference: y = x; the optional mask output is all true. training_mode true is refused. */
import { type Kernel, fail, need, output } from './kernel.js';

export const Dropout: Kernel = (node, inputs, outputs) => {
  const x = need(node, inputs, 0);
  if (inputs[2] && inputs[2].data[0]) fail(node, 'training_mode is true: the interpreter runs inference only');
  const y = output(x.dtype, x.dims);
  y.data.set(x.data);
  if (outputs.length < 2) return [y];
  const mask = output('bool', x.dims);
  mask.data.fill(1);
  return [y, mask];
};
