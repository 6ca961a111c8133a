/** MaxPooling2D → ONNX MaxPool; 'same' pads (window.ts) hold −∞, as in TensorFlow. */
import { spatial } from './layout.js';
import { poolAttrs } from './pooling.js';
import type { LayerConverter } from './types.js';

export const maxPooling2d: LayerConverter = {
  arity: [1, 1],
  convert: (ctx, [x]) => spatial(ctx.b, ctx.op('MaxPool', [x.value], poolAttrs(ctx, x), 'maxpool')),
};
