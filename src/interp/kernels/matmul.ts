/**
 * MatMul with numpy semantics: Y[…, i, j] = Σ_p A[…, i, p] · B[…, p, j], batch axes broadcast; a 1-D A
 * is read as [1, K] and a 1-D B as [K, 1], and the added axis is removed from Y.
 */
import { broadcastShapes } from '../../ir/ops/schema.js';
import { numel } from '../../ir/tensor.js';
import { type Kernel, broadcastMap, f64, fail, need, output, shaped } from './kernel.js';

export const MatMul: Kernel = (node, inputs) => {
  const a = need(node, inputs, 0);
  const b = need(node, inputs, 1);
  if (a.dims.length < 1 || b.dims.length < 1) fail(node, 'operands must have rank ≥ 1');
  const a2 = a.dims.length === 1 ? [1, a.dims[0]] : a.dims;
  const b2 = b.dims.length === 1 ? [b.dims[0], 1] : b.dims;
  const M = a2[a2.length - 2];
  const K = a2[a2.length - 1];
  const N = b2[b2.length - 1];
  if (b2[b2.length - 2] !== K) fail(node, `inner dimensions differ: [${a.dims}] · [${b.dims}]`);
  const aBatch = a2.slice(0, -2);
  const bBatch = b2.slice(0, -2);
  const batch = shaped(node, () => broadcastShapes([aBatch, bBatch]));
  const dims = [...batch];
  if (a.dims.length > 1) dims.push(M);
  if (b.dims.length > 1) dims.push(N);
  const y = output(a.dtype, dims);
  const A = f64(node, a, 'A');
  const B = f64(node, b, 'B');
  const Y = y.data as Float64Array;
  const aMap = broadcastMap(aBatch, batch);
  const bMap = broadcastMap(bBatch, batch);
  const count = numel(batch);
  for (let t = 0; t < count; t++) {
    const aBase = (aMap === null ? t : aMap[t]) * M * K;
    const bBase = (bMap === null ? t : bMap[t]) * K * N;
    const yBase = t * M * N;
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let sum = 0;
        for (let p = 0; p < K; p++) sum += A[aBase + i * K + p] * B[bBase + p * N + j];
        Y[yBase + i * N + j] = sum;
      }
    }
  }
  return [y];
};
