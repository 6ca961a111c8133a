/** MaxUnpool: y = 0 of the unpooled shape, then y[I_j] = x_j (later writes win, as in onnxruntime). */
import { opSchemas } from '../../ir/ops/index.js';
import { type Kernel, f64, need, output } from './kernel.js';

export const MaxUnpool: Kernel = (node, inputs) => {
  const x = need(node, inputs, 0);
  const indices = need(node, inputs, 1);
  const [info] = opSchemas.MaxUnpool.infer({
    node,
    inputs: inputs.map((t) => (t ? { dtype: t.dtype, shape: t.dims } : undefined)),
    constant: (i) => inputs[i],
  });
  const y = output(x.dtype, info.shape);
  const X = f64(node, x);
  for (let j = 0; j < X.length; j++) y.data[indices.data[j]] = X[j];
  return [y];
};
