/**
 * Backward fusions: patterns of two forward nodes, a producer read only by a consumer, whose combined
 * backward is cheaper than the two rules in sequence. The engine tries them before a node's own rule.
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
 *
 * 1×1 Conv → GlobalAveragePool (a classifier convolution before the pool, as in darknet and
 * SqueezeNet-style heads): the pool's gradient is constant over space and a 1×1 convolution (stride 1,
 * no padding) acts on each position alone, so its adjoint commutes with the spatial broadcast:
 *   Wᵀ·broadcast(dY/(H·W)) = broadcast(Wᵀ·dY/(H·W)),
 * and the backward convolution runs on one position instead of H·W.
 */
import type { GraphBuilder } from '../ir/builder.js';
import { attr, getInt, getInts, type Node } from '../ir/graph.js';
import { numel } from '../ir/tensor.js';
import { flippedTransposedWeight } from './rules/conv.js';
import { broadcastSpatially } from './rules/globalAveragePool.js';
import { nonOverlapping, routeToMaxima } from './rules/maxPool.js';
import { derivativeFromOutput, isRectifier } from './rules/rectifiers.js';
import type { RectifierRule } from './types.js';
import { depthwiseAffine } from './util.js';

export interface FusionMatch {
  /** The earlier node whose own rule the fusion replaces. */
  producer: Node;
  /** Builds the gradient of the producer's first input from the consumer's output gradient. */
  build(b: GraphBuilder, dy: string, rectifier: RectifierRule): string;
}

type Fusion = (b: GraphBuilder, consumer: Node, producer: Node) => FusionMatch | undefined;

const rectifierMaxPool: Fusion = (b, consumer, producer) => {
  if (consumer.op !== 'MaxPool' || consumer.outputs.filter(Boolean).length !== 1) return undefined;
  if (!nonOverlapping(b, consumer) || !isRectifier(b, producer)) return undefined;
  return {
    producer,
    build: (builder, dy, rectifier) => {
      const pooledGrad = rectifier(builder, dy, () => derivativeFromOutput(builder, producer, consumer.outputs[0]));
      return routeToMaxima(builder, consumer, pooledGrad);
    },
  };
};

/** A Conv whose kernel covers one position: 1×1 (or 1×…×1), stride 1, no padding. */
function pointwise(b: GraphBuilder, node: Node): boolean {
  if (node.op !== 'Conv') return false;
  const kernel = b.shape(node.inputs[1]).slice(2);
  const strides = getInts(node, 'strides', kernel.map(() => 1));
  const pads = getInts(node, 'pads', [...kernel, ...kernel].map(() => 0));
  const autoPad = node.attrs.auto_pad;
  return kernel.every((k) => k === 1) && strides.every((s) => s === 1) && pads.every((p) => p === 0)
    && (!autoPad || (autoPad.type === 'string' && autoPad.value !== 'SAME_UPPER' && autoPad.value !== 'SAME_LOWER'));
}

const pointwiseConvGlobalPool: Fusion = (b, consumer, producer) => {
  if (consumer.op !== 'GlobalAveragePool' || !pointwise(b, producer)) return undefined;
  return {
    producer,
    build: (builder, dy) => {
      const spatial = builder.shape(producer.inputs[0]).slice(2);
      const group = getInt(producer, 'group', 1);
      const kernel = spatial.map(() => 1);
      const pooled = depthwiseAffine(builder, dy, 1 / numel(spatial), 0, 'gap_scaled');
      const back = builder.op('Conv', [pooled, flippedTransposedWeight(builder, producer.inputs[1], group)], {
        group: attr.int(group), kernel_shape: attr.ints(kernel),
      }, 'conv_dx');
      return broadcastSpatially(builder, back, spatial);
    },
  };
};

const FUSIONS: readonly Fusion[] = [rectifierMaxPool, pointwiseConvGlobalPool];

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
  const producer = producerOf(consumer.inputs[0]);
  if (!producer || !soleReader(producer.outputs[0])) return undefined;
  for (const fusion of FUSIONS) {
    const match = fusion(b, consumer, producer);
    if (match) return match;
  }
  return undefined;
}
