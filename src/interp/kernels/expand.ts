/**
 * Expand(x, shape): y = x broadcast (numpy rules) against `shape`; y's shape is broadcast(x.shape, shape).
 * Tile(x, repeats): y[o_0, …] = x[o_0 mod n_0, …], out_k = n_k · repeats_k.
 */
import { broadcastShapes } from '../../ir/ops/schema.js';
import { type Kernel, fail, gatherByAxes, intValues, need, shaped } from './kernel.js';

export const Expand: Kernel = (node, inputs) => {
  const x = need(node, inputs, 0);
  const shape = intValues(need(node, inputs, 1));
  const dims = shaped(node, () => broadcastShapes([x.dims, shape]));
  const offset = dims.length - x.dims.length;
  const src = { ...x, dims: [...new Array<number>(offset).fill(1), ...x.dims] };
  const maps = dims.map((out, k) => Int32Array.from({ length: out }, (_, o) => (src.dims[k] === 1 ? 0 : o)));
  return [gatherByAxes(src, dims, maps)];
};

export const Tile: Kernel = (node, inputs) => {
  const x = need(node, inputs, 0);
  const repeats = intValues(need(node, inputs, 1));
  if (repeats.length !== x.dims.length || repeats.some((r) => r < 0)) fail(node, `repeats [${repeats}] do not fit [${x.dims}]`);
  const dims = x.dims.map((n, k) => n * repeats[k]);
  const maps = dims.map((out, k) => Int32Array.from({ length: out }, (_, o) => o % x.dims[k]));
  return [gatherByAxes(x, dims, maps)];
};
