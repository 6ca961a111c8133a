/**
 * AveragePooling2D → ONNX AveragePool with count_include_pad = 0: with 'same' padding TensorFlow
 * divides each window by the number of real (unpadded) pixels it covers.
 */
import { attr } from '../../ir/graph.js';
import { spatial } from './layout.js';
import { poolAttrs } from './pooling.js';
import type { LayerConverter } from './types.js';

export const averagePooling2d: LayerConverter = {
  arity: [1, 1],
  convert: (ctx, [x]) =>
    spatial(ctx.b, ctx.op('AveragePool', [x.value], { ...poolAttrs(ctx, x), count_include_pad: attr.int(0) }, 'avgpool')),
};
