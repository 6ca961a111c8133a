/**
 * Folding per-channel affine constants into the Conv or Gemm that produced their operand, at import:
 *   Conv:  y = W∗x + B;  y·s ⇒ W'[o] = W[o]·s[o], B' = B·s;   y + t ⇒ B' = B + t
 *   Gemm:  y = A·B + C;  y + t ⇒ C' = C + t  (t over the output columns)
 * TF graphs express biases (BiasAdd) and folded batch norms (Mul, Add) this way; with them inside the
 * Conv the graph is smaller, the runtime fuses Conv+Clip, and static Grad-CAM recognises a 1×1-conv
 * classifier. Only done when nothing else reads the operand, so no reader sees the changed value.
 */
import { floatTensor } from '../../ir/tensor.js';
import type { GraphImport, TfValue } from './context.js';

export type AffineKind = 'Add' | 'Mul';

/**
 * The per-channel values of constant `c` applied to `x`: TF dims (after leading 1s) [] or [C] with C
 * the last (channel) dim of x. Undefined when `c` is not such a constant.
 */
export function channelValues(ctx: GraphImport, x: TfValue, c: TfValue): Float64Array | undefined {
  const t = ctx.constantOf(c);
  if (!t || t.dtype !== 'float32') return undefined;
  const dims = [...t.dims];
  while (dims.length && dims[0] === 1) dims.shift();
  const xDims = ctx.tfShape(x);
  if (dims.length > 1 || dims.length > xDims.length) return undefined;
  if (dims.length === 1 && dims[0] !== xDims[xDims.length - 1]) return undefined;
  return Float64Array.from(t.data);
}

/**
 * Folds `x ⊕ values` into x's producer; returns whether it did (x then already holds the result).
 * `key` is x's TF tensor key when x is a TF tensor other nodes could read (omit for a node's own
 * intermediate).
 */
export function foldChannelAffine(ctx: GraphImport, x: TfValue, kind: AffineKind, values: Float64Array, key?: string): boolean {
  if (key !== undefined && ctx.readerCount(key) > 1) return false;
  if (ctx.isRead(x.name) || ctx.graph.outputs.includes(x.name) || ctx.graph.inputs.includes(x.name)) return false;
  const producer = ctx.producer(x.name);
  if (!producer) return false;
  const inits = ctx.graph.initializers;
  const at = (i: number) => values[values.length === 1 ? 0 : i];
  if (producer.op === 'Conv' && x.layout === 'nchw') {
    const w = inits.get(producer.inputs[1]);
    const b = producer.inputs[2] ? inits.get(producer.inputs[2]) : undefined;
    if (!w || w.dtype !== 'float32' || (producer.inputs[2] && !b)) return false;
    const m = w.dims[0];
    if (values.length !== 1 && values.length !== m) return false;
    let weight = producer.inputs[1];
    const bias = new Float32Array(m);
    for (let o = 0; o < m; o++) bias[o] = b ? b.data[o] : 0;
    if (kind === 'Mul') {
      const per = w.data.length / m;
      const scaled = new Float32Array(w.data.length);
      for (let i = 0; i < scaled.length; i++) scaled[i] = w.data[i] * at(Math.floor(i / per));
      weight = ctx.constant(floatTensor(w.dims, scaled), `${producer.inputs[1]}/scaled`);
      for (let o = 0; o < m; o++) bias[o] *= at(o);
      if (!b) {
        ctx.replace(producer, { ...producer, inputs: [producer.inputs[0], weight] });
        return true;
      }
    } else {
      for (let o = 0; o < m; o++) bias[o] += at(o);
    }
    const biasName = ctx.constant(floatTensor([m], bias), `${x.name}/bias`);
    ctx.replace(producer, { ...producer, inputs: [producer.inputs[0], weight, biasName] });
    return true;
  }
  if (producer.op === 'Gemm' && kind === 'Add' && x.layout === 'plain') {
    const k = ctx.b.shape(x.name)[1];
    const c = producer.inputs[2] ? inits.get(producer.inputs[2]) : undefined;
    if ((producer.inputs[2] && (!c || c.dims.length !== 1 || c.dims[0] !== k)) || (values.length !== 1 && values.length !== k)) return false;
    const sum = new Float32Array(k);
    for (let o = 0; o < k; o++) sum[o] = (c ? c.data[o] : 0) + at(o);
    const biasName = ctx.constant(floatTensor([k], sum), `${x.name}/bias`);
    ctx.replace(producer, { ...producer, inputs: [producer.inputs[0], producer.inputs[1], biasName] });
    return true;
  }
  return false;
}
