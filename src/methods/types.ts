/** What a gradient-family attribution method contributes to the compiled graph. */
import type { RectifierRule } from '../grad/types.js';
import type { GraphBuilder } from '../ir/builder.js';

export interface AttributionMethod {
  readonly name: string;
  /** One line for --help and docs. */
  readonly summary: string;
  /** Its rule at rectifiers (Relu, LeakyRelu, ReLU6). */
  readonly rectifier: RectifierRule;
  /** The attribution from the input x and the (rule-modified) gradient g = ∂y_c/∂x; same shape as x. */
  head(b: GraphBuilder, x: string, g: string): string;
  /** Whether the attribution is signed (affects the default heat-map reduction). */
  readonly signed: boolean;
}
