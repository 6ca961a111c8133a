/**
 * Conv: X [N, C, in…], W [M, C/G, k…], B [M] → Y [N, M, out…], per group g (M/G output channels each):
 *   Y[n, m, o] = B[m] + Σ_{c<C/G} Σ_j X[n, g·C/G + c, o·s − p_begin + j·d] · W[m, c, j],  g = ⌊m / (M/G)⌋,
 * X read as 0 outside [0, in). Output size and auto_pad come from windowGeometry (as in shape inference).
 */
import { getInt, getInts } from '../../ir/graph.js';
import { windowGeometry } from '../../ir/ops/windowed.js';
import { type Kernel, f64, fail, need, needSpatial, output, pads3d, shaped, to3d } from './kernel.js';

export const Conv: Kernel = (node, inputs) => {
  const x = need(node, inputs, 0);
  const w = need(node, inputs, 1);
  const b = inputs[2];
  const d = needSpatial(node, x);
  const group = getInt(node, 'group', 1);
  const [N, C] = x.dims;
  const [M, Cg] = w.dims;
  if (w.dims.length !== x.dims.length || C !== Cg * group || M % group !== 0) {
    fail(node, `X [${x.dims}] and W [${w.dims}] do not fit group ${group}`);
  }
  const kernel = [...getInts(node, 'kernel_shape', w.dims.slice(2))];
  if (kernel.some((k, i) => k !== w.dims[2 + i])) fail(node, `kernel_shape [${kernel}] differs from W [${w.dims}]`);
  const geo = shaped(node, () => windowGeometry(node, x.dims.slice(2), kernel));
  const [ID, IH, IW] = to3d(x.dims.slice(2), 1);
  const [KD, KH, KW] = to3d(kernel, 1);
  const [SD, SH, SW] = to3d(geo.strides, 1);
  const [DD, DH, DW] = to3d(geo.dilations, 1);
  const { begin: [PD, PH, PW] } = pads3d(geo.pads, d);
  const [OD, OH, OW] = to3d(geo.outSpatial, 1);
  const y = output(x.dtype, [N, M, ...geo.outSpatial]);
  const X = f64(node, x, 'X');
  const W = f64(node, w, 'W');
  const Y = y.data as Float64Array;
  const B = b ? f64(node, b, 'B') : undefined;
  const Mg = M / group;
  const inSize = ID * IH * IW;
  const outSize = OD * OH * OW;
  const kSize = KD * KH * KW;
  for (let n = 0; n < N; n++) {
    for (let m = 0; m < M; m++) {
      const g = Math.floor(m / Mg);
      const yBase = (n * M + m) * outSize;
      if (B) Y.fill(B[m], yBase, yBase + outSize);
      for (let c = 0; c < Cg; c++) {
        const xBase = (n * C + g * Cg + c) * inSize;
        const wBase = (m * Cg + c) * kSize;
        for (let kd = 0; kd < KD; kd++) {
          for (let kh = 0; kh < KH; kh++) {
            for (let kw = 0; kw < KW; kw++) {
              const wv = W[wBase + (kd * KH + kh) * KW + kw];
              for (let od = 0; od < OD; od++) {
                const id = od * SD - PD + kd * DD;
                if (id < 0 || id >= ID) continue;
                for (let oh = 0; oh < OH; oh++) {
                  const ih = oh * SH - PH + kh * DH;
                  if (ih < 0 || ih >= IH) continue;
                  const xRow = xBase + (id * IH + ih) * IW;
                  const yRow = yBase + (od * OH + oh) * OW;
                  for (let ow = 0; ow < OW; ow++) {
                    const iw = ow * SW - PW + kw * DW;
                    if (iw >= 0 && iw < IW) Y[yRow + ow] += wv * X[xRow + iw];
                  }
                }
              }
            }
          }
        }
      }
    }
  }
  return [y];
};
