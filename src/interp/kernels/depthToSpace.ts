/**
 * DepthToSpace (blocksize b): out[n, c, h·b + i, w·b + j] = in[n, k, h, w] with
 * k = (i·b + j)·C' + c in mode DCR (the default) and k = c·b² + i·b + j in mode CRD, C' = C/b².
 */
import { getInt, getString } from '../../ir/graph.js';
import { type Kernel, fail, need, output } from './kernel.js';

export const DepthToSpace: Kernel = (node, inputs) => {
  const x = need(node, inputs, 0);
  const block = getInt(node, 'blocksize', 0);
  const crd = getString(node, 'mode', 'DCR') === 'CRD';
  if (x.dims.length !== 4 || block < 1 || x.dims[1] % (block * block) !== 0) {
    fail(node, `cannot rearrange [${x.dims}] with blocksize ${block}`);
  }
  const [batch, channels, height, width] = x.dims;
  const outChannels = channels / (block * block);
  const y = output(x.dtype, [batch, outChannels, height * block, width * block]);
  const X = x.data;
  const Y = y.data;
  const plane = height * width;
  let o = 0;
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < outChannels; c++) {
      for (let row = 0; row < height * block; row++) {
        const h = Math.floor(row / block);
        const i = row % block;
        for (let col = 0; col < width * block; col++) {
          const w = Math.floor(col / block);
          const j = col % block;
          const k = crd ? c * block * block + i * block + j : (i * block + j) * outChannels + c;
          Y[o++] = X[(n * channels + k) * plane + h * width + w];
        }
      }
    }
  }
  return [y];
};
