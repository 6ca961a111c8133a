/**
 * Gemm: Y[i, j] = alpha · Σ_p A'[i, p] · B'[p, j] + beta · C[i, j], with A' = transA ? Aᵀ : A,
 * B' = transB ? Bᵀ : B and C (optional) broadcast to [M, N].
 */
import { getFloat, getInt } from '../../ir/graph.js';
import { type Kernel, broadcastMap, f64, fail, need, output } from './kernel.js';

export const Gemm: Kernel = (node, inputs) => {
  const a = need(node, inputs, 0);
  const b = need(node, inputs, 1);
  const c = inputs[2];
  if (a.dims.length !== 2 || b.dims.length !== 2) fail(node, `A [${a.dims}] and B [${b.dims}] must be matrices`);
  const transA = getInt(node, 'transA', 0) === 1;
  const transB = getInt(node, 'transB', 0) === 1;
  const alpha = getFloat(node, 'alpha', 1);
  const beta = getFloat(node, 'beta', 1);
  const [M, K] = transA ? [a.dims[1], a.dims[0]] : a.dims;
  const [Kb, N] = transB ? [b.dims[1], b.dims[0]] : b.dims;
  if (K !== Kb) fail(node, `inner dimensions differ: A' is ${M}×${K}, B' is ${Kb}×${N}`);
  const A = f64(node, a, 'A');
  const B = f64(node, b, 'B');
  // Element strides of A'[i, p] and B'[p, j].
  const [ai, ap] = transA ? [1, M] : [K, 1];
  const [bp, bj] = transB ? [1, K] : [N, 1];
  const y = output(a.dtype, [M, N]);
  const Y = y.data as Float64Array;
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let sum = 0;
      for (let p = 0; p < K; p++) sum += A[i * ai + p * ap] * B[p * bp + j * bj];
      Y[i * N + j] = alpha * sum;
    }
  }
  if (c && beta !== 0) {
    const C = f64(node, c, 'C');
    if (c.dims.length > 2 || c.dims.some((dim, i) => dim !== 1 && dim !== [M, N][i + 2 - c.dims.length])) {
      fail(node, `C [${c.dims}] does not broadcast to [${M},${N}]`);
    }
    const map = broadcastMap(c.dims, [M, N]);
    for (let o = 0; o < M * N; o++) Y[o] += beta * C[map === null ? o : map[o]];
  }
  return [y];
};
