/**
 * ConvTranspose: X [N, C, in…], W [C, M/G, k…], B [M] → Y [N, M, out…], the adjoint of Conv in X:
 *   Y[n, g·M/G + m, i·s − p_begin + j·d] += X[n, g·C/G + c, i] · W[g·C/G + c, m, j]   (for o in [0, out)),
 *   out = s·(in − 1) + output_padding + (k − 1)·d + 1 − p_begin − p_end, plus B[m] everywhere.
 * auto_pad (as onnxruntime 1.30 does it, matching the spec): with full = s·(in − 1) + output_padding +
 * (k − 1)·d + 1, total = max(0, full − in·s), out = full − total; SAME_UPPER puts ⌊total/2⌋ at the
 * beginning (the odd pixel at the end), SAME_LOWER ⌈total/2⌉; VALID pads nothing.
 * onnxruntime refuses output_padding ≥ stride (its output would not map back to `in` through the
 * forward Conv), and so does this kernel. output_shape is not supported (shape inference rejects it).
 */
import { getInt, getInts, getString } from '../../ir/graph.js';
import { type Kernel, f64, fail, need, needSpatial, output, pads3d, to3d } from './kernel.js';

export const ConvTranspose: Kernel = (node, inputs) => {
  const x = need(node, inputs, 0);
  const w = need(node, inputs, 1);
  const b = inputs[2];
  const d = needSpatial(node, x);
  const group = getInt(node, 'group', 1);
  const [N, C] = x.dims;
  const Mg = w.dims[1];
  const M = Mg * group;
  if (w.dims.length !== x.dims.length || w.dims[0] !== C || C % group !== 0) {
    fail(node, `X [${x.dims}] and W [${w.dims}] do not fit group ${group}`);
  }
  if (node.attrs.output_shape) fail(node, 'output_shape is not supported; give pads and output_padding');
  const kernel = [...getInts(node, 'kernel_shape', w.dims.slice(2))];
  const strides = getInts(node, 'strides', new Array(d).fill(1));
  const dilations = getInts(node, 'dilations', new Array(d).fill(1));
  const autoPad = getString(node, 'auto_pad', 'NOTSET');
  const outPad = getInts(node, 'output_padding', new Array(d).fill(0));
  outPad.forEach((p, i) => {
    if (p >= strides[i]) fail(node, `output_padding [${outPad}] must be less than strides [${strides}] (onnxruntime refuses it)`);
  });
  let pads: readonly number[];
  if (autoPad === 'NOTSET') {
    pads = getInts(node, 'pads', new Array(2 * d).fill(0));
  } else if (autoPad === 'VALID' || autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const total = x.dims.slice(2).map((size, i) => {
      const full = strides[i] * (size - 1) + outPad[i] + (kernel[i] - 1) * dilations[i] + 1;
      return autoPad === 'VALID' ? 0 : Math.max(0, full - size * strides[i]);
    });
    const head = total.map((t) => (autoPad === 'SAME_LOWER' ? Math.ceil(t / 2) : Math.floor(t / 2)));
    pads = [...head, ...total.map((t, i) => t - head[i])];
  } else {
    fail(node, `unknown auto_pad '${autoPad}'`);
  }
  const outSpatial = x.dims.slice(2).map(
    (size, i) => strides[i] * (size - 1) + outPad[i] + (kernel[i] - 1) * dilations[i] + 1 - pads[i] - pads[i + d],
  );
  if (outSpatial.some((s) => s <= 0)) fail(node, `output size [${outSpatial}] is not positive`);
  const [ID, IH, IW] = to3d(x.dims.slice(2), 1);
  const [KD, KH, KW] = to3d(kernel, 1);
  const [SD, SH, SW] = to3d(strides, 1);
  const [DD, DH, DW] = to3d(dilations, 1);
  const { begin: [PD, PH, PW] } = pads3d(pads, d);
  const [OD, OH, OW] = to3d(outSpatial, 1);
  const y = output(x.dtype, [N, M, ...outSpatial]);
  const X = f64(node, x, 'X');
  const W = f64(node, w, 'W');
  const Y = y.data as Float64Array;
  const Cg = C / group;
  const inSize = ID * IH * IW;
  const outSize = OD * OH * OW;
  const kSize = KD * KH * KW;
  if (b) {
    const B = f64(node, b, 'B');
    for (let n = 0; n < N; n++) for (let m = 0; m < M; m++) Y.fill(B[m], (n * M + m) * outSize, (n * M + m + 1) * outSize);
  }
  for (let n = 0; n < N; n++) {
    for (let ci = 0; ci < C; ci++) {
      const g = Math.floor(ci / Cg);
      const xBase = (n * C + ci) * inSize;
      for (let m = 0; m < Mg; m++) {
        const yBase = (n * M + g * Mg + m) * outSize;
        const wBase = (ci * Mg + m) * kSize;
        for (let kd = 0; kd < KD; kd++) {
          for (let kh = 0; kh < KH; kh++) {
            for (let kw = 0; kw < KW; kw++) {
              const wv = W[wBase + (kd * KH + kh) * KW + kw];
              for (let id = 0; id < ID; id++) {
                const od = id * SD - PD + kd * DD;
                if (od < 0 || od >= OD) continue;
                for (let ih = 0; ih < IH; ih++) {
                  const oh = ih * SH - PH + kh * DH;
                  if (oh < 0 || oh >= OH) continue;
                  const xRow = xBase + (id * IH + ih) * IW;
                  const yRow = yBase + (od * OH + oh) * OW;
                  for (let iw = 0; iw < IW; iw++) {
                    const ow = iw * SW - PW + kw * DW;
                    if (ow >= 0 && ow < OW) Y[yRow + ow] += wv * X[xRow + iw];
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
