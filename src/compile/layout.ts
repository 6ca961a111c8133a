/**
 * The layout of a model's image input. Importers of channels-last formats (TensorFlow.js) record it in
 * the graph metadata; for other models it is read off the shape as the preset fallback does
 * (image/preset.ts presetFromInputShape): a channel dim of 1 or 3 at axis 1 means NCHW, else at axis 3
 * NHWC, NCHW when both could be.
 */
import type { Graph } from '../ir/graph.js';

export type InputLayout = 'nchw' | 'nhwc';

export const INPUT_LAYOUT_KEY = 'heatlens.input_layout';

export function inputLayout(graph: Graph, input: string): InputLayout {
  const recorded = graph.metadata.get(INPUT_LAYOUT_KEY);
  if (recorded) return recorded.toLowerCase() === 'nhwc' ? 'nhwc' : 'nchw';
  const dims = graph.values.get(input)?.shape ?? [];
  const isChannels = (d: number | undefined) => d === 1 || d === 3;
  return dims.length === 4 && !isChannels(dims[1]) && isChannels(dims[3]) ? 'nhwc' : 'nchw';
}

/** [height, width] of an image-shaped value in `layout`. */
export function spatialSize(dims: readonly number[], layout: InputLayout): [number, number] {
  return layout === 'nchw' ? [dims[2], dims[3]] : [dims[1], dims[2]];
}
