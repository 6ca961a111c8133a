/** The contract of a backward rule: given the gradients of a node's outputs, emit its inputs' gradients. */
import type { GraphBuilder } from '../ir/builder.js';
import type { Node } from '../ir/graph.js';

/**
 * What an attribution method does at a rectifier (Relu, LeakyRelu, Clip as ReLU6), where the methods
 * differ: `dy` is the gradient arriving at the rectifier's output, `derivative()` builds the exact local
 * derivative (a float mask taken from the forward output) only when the rule needs it.
 */
export type RectifierRule = (b: GraphBuilder, dy: string, derivative: () => string) => string;

export interface BackwardContext {
  readonly b: GraphBuilder;
  readonly node: Node;
  /** Gradient of each output of the node, undefined where no gradient flows. */
  readonly dy: readonly (string | undefined)[];
  /** Whether input i lies on a path from the differentiated input (only those get gradients). */
  needs(i: number): boolean;
  readonly rectifier: RectifierRule;
}

/** Returns one gradient per node input (undefined where not needed or identically zero). */
export type BackwardRule = (ctx: BackwardContext) => (string | undefined)[];
