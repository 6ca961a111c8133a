/**
 * Pooling over windows of X [N, C, in…] → Y [N, C, out…]. Window taps of output o along an axis:
 * i_j = o·s − p_begin + j·d, j < k; geometry (pads, auto_pad, ceil_mode) from windowGeometry.
 *
 * MaxPool: Y = max over the taps inside [0, in) (pads act as −∞). Ties go to the FIRST maximum in
 * row-major tap order (a later tap wins only if strictly greater), as onnxruntime does. The optional
 * Indices output is the flat index of that tap in the whole input, ((n·C + c)·D + i_d)·H·W + i_h·W + i_w
 * (storage_order 0), or (n·C + c)·D·H·W + i_d + i_h·D + i_w·D·H (storage_order 1, column-major spatial
 * axes, as onnxruntime). Integer inputs (uint8, int8) are pooled as they are.
 *
 * AveragePool: Y = Σ taps inside [0, in) / divisor, divisor = number of taps inside [0, in)
 * (count_include_pad 0) or inside the padded input [−p_begin, in + p_end) (count_include_pad 1; with
 * ceil_mode a window can reach past the end padding, and those taps are not counted).
 */
import { getInt, getInts } from '../../ir/graph.js';
import { windowGeometry } from '../../ir/ops/windowed.js';
import { isFloatType, numel } from '../../ir/tensor.js';
import { type Kernel, f64, fail, need, needSpatial, output, pads3d, shaped, to3d } from './kernel.js';

function setup(node: Parameters<Kernel>[0], inputs: Parameters<Kernel>[1]) {
  const x = need(node, inputs, 0);
  const d = needSpatial(node, x);
  const kernel = [...getInts(node, 'kernel_shape', [])];
  if (kernel.length !== d) fail(node, `kernel_shape [${kernel}] must have ${d} entries for X [${x.dims}]`);
  const geo = shaped(node, () => windowGeometry(node, x.dims.slice(2), kernel));
  const { begin, end } = pads3d(geo.pads, d);
  return {
    x,
    X: node.op === 'MaxPool' && !isFloatType(x.dtype) ? x.data : f64(node, x, 'X'),
    NC: x.dims[0] * x.dims[1],
    outDims: [x.dims[0], x.dims[1], ...geo.outSpatial],
    inS: to3d(x.dims.slice(2), 1),
    k: to3d(kernel, 1),
    s: to3d(geo.strides, 1),
    dl: to3d(geo.dilations, 1),
    pb: begin,
    pe: end,
    outS: to3d(geo.outSpatial, 1),
  };
}

export const MaxPool: Kernel = (node, inputs, outputs) => {
  const { x, X, NC, outDims, inS: [ID, IH, IW], k: [KD, KH, KW], s: [SD, SH, SW], dl: [DD, DH, DW], pb: [PD, PH, PW], outS: [OD, OH, OW] } = setup(node, inputs);
  const y = output(x.dtype, outDims);
  const Y = y.data;
  const withIndices = outputs.length > 1;
  const columnMajor = getInt(node, 'storage_order', 0) === 1;
  const indices = withIndices ? output('int64', outDims) : undefined;
  const I = indices?.data as Float64Array | undefined;
  const inSize = ID * IH * IW;
  let o = 0;
  for (let nc = 0; nc < NC; nc++) {
    const base = nc * inSize;
    for (let od = 0; od < OD; od++) {
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++, o++) {
          let best = -Infinity;
          let bestIndex = -1;
          for (let kd = 0; kd < KD; kd++) {
            const id = od * SD - PD + kd * DD;
            if (id < 0 || id >= ID) continue;
            for (let kh = 0; kh < KH; kh++) {
              const ih = oh * SH - PH + kh * DH;
              if (ih < 0 || ih >= IH) continue;
              const row = base + (id * IH + ih) * IW;
              for (let kw = 0; kw < KW; kw++) {
                const iw = ow * SW - PW + kw * DW;
                if (iw < 0 || iw >= IW) continue;
                const v = X[row + iw];
                if (bestIndex < 0 || v > best) {
                  best = v;
                  bestIndex = columnMajor ? base + id + (ih + iw * IH) * ID : row + iw;
                }
              }
            }
          }
          Y[o] = best;
          if (I) I[o] = bestIndex;
        }
      }
    }
  }
  return indices ? [y, indices] : [y];
};

/** Number of taps o·s − p_begin + j·d (j < k) inside [lo, hi). */
function tapsInside(start: number, k: number, d: number, lo: number, hi: number): number {
  let count = 0;
  for (let j = 0; j < k; j++) {
    const i = start + j * d;
    if (i >= lo && i < hi) count++;
  }
  return count;
}

export const AveragePool: Kernel = (node, inputs) => {
  const { x, X, NC, outDims, inS: [ID, IH, IW], k: [KD, KH, KW], s: [SD, SH, SW], dl: [DD, DH, DW], pb: [PD, PH, PW], pe: [ED, EH, EW], outS: [OD, OH, OW] } = setup(node, inputs);
  const includePad = getInt(node, 'count_include_pad', 0) === 1;
  const y = output(x.dtype, outDims);
  const Y = y.data as Float64Array;
  const inSize = ID * IH * IW;
  let o = 0;
  for (let nc = 0; nc < NC; nc++) {
    const base = nc * inSize;
    for (let od = 0; od < OD; od++) {
      const sd = od * SD - PD;
      for (let oh = 0; oh < OH; oh++) {
        const sh = oh * SH - PH;
        for (let ow = 0; ow < OW; ow++, o++) {
          const sw = ow * SW - PW;
          let sum = 0;
          for (let kd = 0; kd < KD; kd++) {
            const id = sd + kd * DD;
            if (id < 0 || id >= ID) continue;
            for (let kh = 0; kh < KH; kh++) {
              const ih = sh + kh * DH;
              if (ih < 0 || ih >= IH) continue;
              const row = base + (id * IH + ih) * IW;
              for (let kw = 0; kw < KW; kw++) {
                const iw = sw + kw * DW;
                if (iw >= 0 && iw < IW) sum += X[row + iw];
              }
            }
          }
          const divisor = includePad
            ? tapsInside(sd, KD, DD, -PD, ID + ED) * tapsInside(sh, KH, DH, -PH, IH + EH) * tapsInside(sw, KW, DW, -PW, IW + EW)
            : tapsInside(sd, KD, DD, 0, ID) * tapsInside(sh, KH, DH, 0, IH) * tapsInside(sw, KW, DW, 0, IW);
          Y[o] = sum / divisor;
        }
      }
    }
  }
  return [y];
};

/** GlobalAveragePool / GlobalMaxPool: Y[n, c, 1…] = mean or max of X[n, c, …]. */
const globalPool = (reduce: (data: Float64Array, from: number, to: number) => number): Kernel => (node, inputs) => {
  const x = need(node, inputs, 0);
  if (x.dims.length < 3) fail(node, `X must have rank ≥ 3, got [${x.dims}]`);
  const X = f64(node, x, 'X');
  const NC = x.dims[0] * x.dims[1];
  const size = numel(x.dims.slice(2));
  const y = output(x.dtype, [x.dims[0], x.dims[1], ...x.dims.slice(2).map(() => 1)]);
  const Y = y.data as Float64Array;
  for (let nc = 0; nc < NC; nc++) Y[nc] = reduce(X, nc * size, (nc + 1) * size);
  return [y];
};

export const GlobalAveragePool = globalPool((data, from, to) => {
  let sum = 0;
  for (let i = from; i < to; i++) sum += data[i];
  return sum / (to - from);
});

export const GlobalMaxPool = globalPool((data, from, to) => {
  let best = -Infinity;
  for (let i = from; i < to; i++) if (data[i] > best || Number.isNaN(data[i])) best = data[i];
  return best;
});
