/**
 * What an attribution method contributes to the compiled graph. The compiler hands each method a
 * context with the graph builder, the input and a way to ask for gradients of the target score; the
 * method builds its own head from those. The core never branches on method names.
 */
import type { RectifierRule } from '../grad/types.js';
import type { GraphBuilder } from '../ir/builder.js';

export interface MethodOptions {
  /** Target layer for CAM methods: a value or node name (default: the last layer with spatial size > 1). */
  layer?: string;
}

export interface MethodContext {
  readonly b: GraphBuilder;
  /** The image input value. */
  readonly input: string;
  readonly options: MethodOptions;
  /**
   * ∂(target score)/∂value with the given rectifier rule. When the compiler can prove the gradient does
   * not depend on a backward pass (static Grad-CAM), it is built from the weights instead.
   */
  gradient(wrt: string, rectifier: RectifierRule): string;
  /** The target layer for CAM methods, validated (4-D, spatial size > 1, on the path to the score). */
  layer(): string;
}

export interface MethodOutput {
  /** Attribution at the input's resolution ([B, C, H, W] like the input, or [B, 1, H, W] for maps). */
  attribution: string;
  /** The map at the target layer's resolution, for CAM methods ([B, 1, h, w]). */
  layerMap?: string;
}

export interface AttributionMethod {
  readonly name: string;
  /** One line for --help and docs. */
  readonly summary: string;
  /** Whether the attribution is signed (affects the default heat-map reduction). */
  readonly signed: boolean;
  build(ctx: MethodContext): MethodOutput;
}
