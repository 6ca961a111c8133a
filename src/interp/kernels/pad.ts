/**
 * Pad (opset 11+): pads = [b_0…b_{r−1}, e_0…e_{r−1}] (negative values crop), out_k = n_k + b_k + e_k.
 * Output index o reads input i = o − b_k, mapped when outside [0, n_k):
 *   constant → constant_value (input 2, default 0);
 *   reflect  → mirror without repeating the edge (period 2(n−1): −1 → 1, n → n−2);
 *   edge     → clamp to [0, n−1].
 */
import { getString } from '../../ir/graph.js';
import { type Kernel, fail, gatherByAxes, intValues, need } from './kernel.js';

function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  const r = ((i % period) + period) % period;
  return r < n ? r : period - r;
}

export const Pad: Kernel = (node, inputs) => {
  const x = need(node, inputs, 0);
  const rank = x.dims.length;
  const pads = intValues(need(node, inputs, 1));
  if (pads.length !== 2 * rank) fail(node, `pads [${pads}] must have ${2 * rank} entries for [${x.dims}]`);
  const mode = getString(node, 'mode', 'constant');
  const value = inputs[2] && inputs[2].data.length > 0 ? inputs[2].data[0] : 0;
  const dims = x.dims.map((n, k) => n + pads[k] + pads[k + rank]);
  if (dims.some((d) => d < 0)) fail(node, `pads [${pads}] crop [${x.dims}] below zero`);
  if (mode !== 'constant' && x.dims.some((n, k) => n === 0 && dims[k] > 0)) fail(node, `${mode} padding of an empty axis`);
  const maps = dims.map((out, k) => {
    const n = x.dims[k];
    return Int32Array.from({ length: out }, (_, o) => {
      const i = o - pads[k];
      if (i >= 0 && i < n) return i;
      switch (mode) {
        case 'constant':
          return -1;
        case 'reflect':
          return reflect(i, n);
        case 'edge':
          return Math.min(Math.max(i, 0), n - 1);
        default:
          return fail(node, `unknown mode '${mode}'`);
      }
    });
  });
  return [gatherByAxes(x, dims, maps, value)];
};
