/** The gradient family: one backward pass to the input under a rectifier rule, then a pointwise head. */
import type { RectifierRule } from '../grad/types.js';
import type { GraphBuilder } from '../ir/builder.js';
import type { AttributionMethod } from './types.js';

export interface GradientMethodSpec {
  name: string;
  summary: string;
  signed: boolean;
  rectifier: RectifierRule;
  /** The attribution from the input x and the rule-modified gradient g. */
  head(b: GraphBuilder, x: string, g: string): string;
}

export function gradientMethod(spec: GradientMethodSpec): AttributionMethod {
  return {
    name: spec.name,
    summary: spec.summary,
    signed: spec.signed,
    family: 'gradient',
    build: (ctx) => ({ attribution: spec.head(ctx.b, ctx.input, ctx.gradient(ctx.input, spec.rectifier)) }),
  };
}
