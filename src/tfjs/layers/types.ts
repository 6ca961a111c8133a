/**
 * What a Keras layer converter sees and returns.
 *
 * Layout rule of the imported graph: a rank-4 Keras tensor [N,H,W,C] is held in the IR as NCHW
 * [N,C,H,W] (ONNX convolution layout); tensors of every other rank are held exactly as in Keras. One
 * exception keeps Flatten→Dense cheap: a Keras Flatten of an NHWC map, [N, H·W·C] with index
 * (h·W + w)·C + c, may be held in NCHW flatten order, index c·H·W + h·W + w (`nchwFlat`); a Dense
 * reading it reorders its kernel rows instead of the graph transposing the map.
 */
import type { GraphBuilder } from '../../ir/builder.js';
import type { Attrs } from '../../ir/graph.js';
import type { Tensor } from '../../ir/tensor.js';
import type { LayerConfig } from './config.js';

export interface KerasTensor {
  /** The IR value. */
  readonly value: string;
  /** The Keras shape, batch included. */
  readonly shape: readonly number[];
  /** Set when `value` is a [N, C·H·W] Flatten of an NCHW map, i.e. a permutation of the Keras order. */
  readonly nchwFlat?: { readonly c: number; readonly h: number; readonly w: number };
}

export interface LayerContext {
  readonly b: GraphBuilder;
  /** The Keras layer's name (weights are looked up under it). */
  readonly layer: string;
  readonly className: string;
  readonly config: LayerConfig;
  /** Adds a node; its output value is named `<layer>/<hint>` (hint defaults to the op type). */
  op(op: string, inputs: readonly string[], attrs?: Attrs, hint?: string): string;
  /** An initializer named `<layer>/<hint>`; the same hint in a second call of a shared layer reuses it. */
  constant(hint: string, make: () => Tensor): string;
  /** A float32 scalar initializer. */
  scalar(value: number): string;
  /** The layer's weight `<layer>/<key>` in TensorFlow layout; fails naming the layer when it is absent. */
  weight(key: string, expectedShape?: readonly (number | undefined)[]): Tensor;
  /** Throws a HeatlensError naming the model file, the layer and its class. */
  fail(message: string): never;
}

export interface LayerConverter {
  /** How many inbound tensors the layer takes: [min, max]. */
  readonly arity: readonly [number, number];
  convert(ctx: LayerContext, inputs: readonly KerasTensor[]): KerasTensor;
}
