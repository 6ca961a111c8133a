/**
 * DepthToSpace (blocksize b): [N, C, H, W] → [N, C/b², H·b, W·b]. Mode DCR (the default) reads
 * out[n, c, h·b + i, w·b + j] = in[n, (i·b + j)·C/b² + c, h, w]; mode CRD reads in[n, c·b² + i·b + j, h, w].
 */
import { getInt, getString } from '../graph.js';
import { type OpSchema, input, need } from './schema.js';

export const DepthToSpace: OpSchema = {
  arity: [1, 1],
  infer(ctx) {
    const x = input(ctx, 0);
    const block = getInt(ctx.node, 'blocksize', 0);
    const mode = getString(ctx.node, 'mode', 'DCR');
    need(x.shape.length === 4, `input must be 4-D [N, C, H, W], got [${x.shape}]`);
    need(block >= 1, `blocksize ${block} must be ≥ 1`);
    need(mode === 'DCR' || mode === 'CRD', `unknown mode '${mode}' (DCR or CRD)`);
    const [n, c, h, w] = x.shape;
    need(c % (block * block) === 0, `${c} channels are not a multiple of blocksize² = ${block * block}`);
    return [{ dtype: x.dtype, shape: [n, c / (block * block), h * block, w * block] }];
  },
};
