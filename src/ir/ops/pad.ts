/** Pad (opset ≥ 11: pads as input 1, [begin…, end…]; negative pads crop). */
import { getString } from '../graph.js';
import { type OpSchema, constInts, input, need } from './schema.js';

export const Pad: OpSchema = {
  arity: [2, 3],
  infer(ctx) {
    const x = input(ctx, 0);
    const rank = x.shape.length;
    const pads = constInts(ctx, 1, 'pads');
    need(pads.length === 2 * rank, `pads [${pads}] must have ${2 * rank} entries`);
    const mode = getString(ctx.node, 'mode', 'constant');
    need(['constant', 'reflect', 'edge'].includes(mode), `unknown Pad mode '${mode}'`);
    const shape = x.shape.map((d, i) => d + pads[i] + pads[i + rank]);
    need(shape.every((d) => d >= 0), `pads [${pads}] crop [${x.shape}] below zero`);
    return [{ dtype: x.dtype, shape }];
  },
};
