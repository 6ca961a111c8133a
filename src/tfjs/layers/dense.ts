/**
 * Dense y = x·K + b over the last Keras axis, kernel K [in, out]:
 *   [N, in]         → Gemm(x, K, b);
 *   [N, in] held in NCHW flatten order (a Flatten of a map [H, W, C]) → Gemm with K's rows reordered:
 *                     K'[c·H·W + p] = K[p·C + c] (p = h·W + w), so no transpose of the map is needed;
 *   [N, H, W, in]   → 1×1 Conv with W [out, in, 1, 1] = Kᵀ (the IR holds the map as NCHW);
 *   [N, T, in]      → MatMul(x, K) + b.
 */
import { attr } from '../../ir/graph.js';
import { type Tensor, makeTensor } from '../../ir/tensor.js';
import { activate } from './activations.js';
import { permute, plain, spatial } from './layout.js';
import type { KerasTensor, LayerConverter } from './types.js';

/** K'[c·HW + p, :] = K[p·C + c, :]. */
function nchwRows(k: Tensor, c: number, hw: number): Tensor {
  const units = k.dims[1];
  const out = makeTensor(k.dtype, k.dims);
  for (let ch = 0; ch < c; ch++) {
    for (let p = 0; p < hw; p++) out.data.set(k.data.subarray((p * c + ch) * units, (p * c + ch + 1) * units), (ch * hw + p) * units);
  }
  return out;
}

export const dense: LayerConverter = {
  arity: [1, 1],
  convert(ctx, [x]) {
    const units = ctx.config.int('units');
    // Keras 3 LoRA adds lora_kernel_a·lora_kernel_b to the kernel.
    if (ctx.config.has('lora_rank')) ctx.fail('LoRA-adapted Dense layers (lora_rank) are not supported; merge the adapter into the kernel first');
    const rank = x.shape.length;
    if (rank < 2) ctx.fail(`expects an input of rank ≥ 2, got [${x.shape}]`);
    const features = x.shape[rank - 1];
    const k = ctx.weight('kernel', [features, units]);
    const bias = ctx.config.bool('use_bias', true) ? ctx.weight('bias', [units]) : undefined;
    const biasName = () => (bias ? [ctx.constant('bias', () => bias)] : []);
    let y: KerasTensor;
    if (rank === 2) {
      const flat = x.nchwFlat;
      const kernel = flat && flat.c > 1 && flat.h * flat.w > 1
        ? ctx.constant(`kernel_nchw_rows_${flat.c}x${flat.h}x${flat.w}`, () => nchwRows(k, flat.c, flat.h * flat.w))
        : ctx.constant('kernel', () => k);
      y = plain(ctx.b, ctx.op('Gemm', [x.value, kernel, ...biasName()], {}, 'gemm'));
    } else if (rank === 4) {
      const w = ctx.constant('kernel_1x1', () => {
        const t = permute(k, [1, 0]);
        return { ...t, dims: [units, features, 1, 1] };
      });
      y = spatial(ctx.b, ctx.op('Conv', [x.value, w, ...biasName()], { kernel_shape: attr.ints([1, 1]) }, 'conv1x1'));
    } else {
      const product = ctx.op('MatMul', [x.value, ctx.constant('kernel', () => k)], {}, 'matmul');
      y = plain(ctx.b, bias ? ctx.op('Add', [product, biasName()[0]], {}, 'bias_add') : product);
    }
    return activate(ctx, y);
  },
};
