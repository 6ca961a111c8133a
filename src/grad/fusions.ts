/**
 * Backward fusions: patterns of two forward nodes whose combined backward is cheaper than the two rules
 * in sequence. The engine tries them before a node's own rule.
 *
 * rectifier → MaxPool with non-overlapping windows (conv → ReLU → 2×2 pool in VGG-style and darknet
 * networks): for a monotone non-decreasing activation f and any rectifier rule r with r(0, d) = 0
 * (exact, guided and deconv all are), the routed gradient is non-zero only at each window's first
 * maximum, whose activation value is the pool's output y, and each input position receives at most one
 * window's gradient. So
 *   r(route(dY), d(f_out)) = route(r(dY, d(y))),
 * and the rule and its mask run at the pooled resolution (¼ of the work for 2×2 pools). With
 * overlapping windows a position can collect several windows' gradients, and a non-linear rule
 * (guided, deconv: ReLU(a + b) ≠ ReLU(a) + ReLU(b)) must see their sum: no fusion there.
 */
import type { GraphBuilder } from '../ir/builder.js';
import type { Node } from '../ir/graph.js';
import { nonOverlapping, routeToMaxima } from './rules/maxPool.js';
import { derivativeFromOutput, isRectifier } from './rules/rectifiers.js';
import type { RectifierRule } from './types.js';

export interface FusionMatch {
  /** The earlier node whose own rule the fusion replaces. */
  producer: Node;
  /** Builds the gradient of the producer's first input from the consumer's output gradient. */
  build(b: GraphBuilder, dy: string, rectifier: RectifierRule): string;
}

/**
 * A fusion for `consumer`, when its first input comes from a node `producerOf` finds, read by nothing
 * else (`soleReader`).
 */
export function findFusion(
  b: GraphBuilder,
  consumer: Node,
  producerOf: (value: string) => Node | undefined,
  soleReader: (value: string) => boolean,
): FusionMatch | undefined {
  if (consumer.op !== 'MaxPool' || consumer.outputs.filter(Boolean).length !== 1) return undefined;
  if (!nonOverlapping(b, consumer)) return undefined;
  const producer = producerOf(consumer.inputs[0]);
  if (!producer || !isRectifier(b, producer) || !soleReader(producer.outputs[0])) return undefined;
  return {
    producer,
    build: (builder, dy, rectifier) => {
      const pooledGrad = rectifier(builder, dy, () => derivativeFromOutput(builder, producer, consumer.outputs[0]));
      return routeToMaxima(builder, consumer, pooledGrad);
    },
  };
}
