/**
 * Static Grad-CAM (Bhat & Raychowdhury, AICAS 2023): when the path from a layer A to the logits is
 *   A → (Relu) → global average pool → (Flatten/Reshape/Squeeze) → fully connected (Gemm, MatMul(+Add)
 *   or a 1×1 Conv), or no classifier after the pool at all (the pooled map is the logits)
 * and nothing else reads those values, then y_c = Σ_k W[c,k]·(1/hw)·Σ_ij f(A_kij) + b_c, so
 *   ∂y_c/∂A_kij = α·W[c,k]/(h·w) · 1[A_kij > 0 if the Relu is there],
 * which needs no backward pass: the class row of the weights is gathered at run time and scaled by a
 * compile-time constant. The Relu's mask goes through the method's rectifier rule like any rectifier.
 * The same analysis gives gradient methods their seed (pooledHeadSeed, at the end of this file).
 */
import type { RectifierRule } from '../grad/types.js';
import { oneHotRows } from '../grad/util.js';
import type { GraphBuilder } from '../ir/builder.js';
import { type Graph, type Node, attr, consumers, getFloat, getInt, getInts, producers } from '../ir/graph.js';

export interface StaticGradient {
  /** Builds ∂y_c/∂A (broadcastable to A's shape) for the classes in `chosen` ([B] int64). */
  build(b: GraphBuilder, chosen: string, rectifier: RectifierRule): string;
}

interface Walk {
  graph: Graph;
  readers: Map<string, Node[]>;
}

/** The single node reading `value`, when exactly one does and it is not a graph output. */
function soleReader(w: Walk, value: string): Node | undefined {
  const list = w.readers.get(value) ?? [];
  return list.length === 1 && !w.graph.outputs.includes(value) ? list[0] : undefined;
}

const isGlobalMean = (n: Node, w: Walk): boolean => {
  if (n.op === 'GlobalAveragePool') return true;
  if (n.op === 'ReduceMean') return getInts(n, 'axes', []).join() === '2,3' && getInt(n, 'keepdims', 1) === 1;
  if (n.op === 'AveragePool') {
    const shape = w.graph.values.get(n.inputs[0])!.shape;
    return getInts(n, 'kernel_shape', []).join() === shape.slice(2).join() && getInts(n, 'pads', [0, 0, 0, 0]).every((p) => p === 0);
  }
  return false;
};

const RESHAPES = new Set(['Flatten', 'Reshape', 'Squeeze']);

/** [C, K] class-by-channel weights (built in-graph from the initializer) and the scale α of the FC. */
type ClassWeights = (b: GraphBuilder) => { rows: string; scale: number };

function fullyConnected(w: Walk, node: Node, pooled: string): { out: string; weights: ClassWeights } | undefined {
  const weight = node.inputs[1];
  const value = w.graph.initializers.get(weight);
  if (!value) return undefined;
  const k = w.graph.values.get(pooled)!.shape[1];
  if (node.op === 'Gemm' && getInt(node, 'transA', 0) === 0 && node.inputs[0] === pooled) {
    const transB = getInt(node, 'transB', 0) === 1;
    return {
      out: node.outputs[0],
      weights: (b) => ({
        rows: transB ? weight : b.op('Transpose', [weight], { perm: attr.ints([1, 0]) }),
        scale: getFloat(node, 'alpha', 1),
      }),
    };
  }
  if (node.op === 'MatMul' && node.inputs[0] === pooled && value.dims.length === 2 && value.dims[0] === k) {
    const add = soleReader(w, node.outputs[0]);
    const biased = add?.op === 'Add' && w.graph.initializers.has(add.inputs[1]) ? add.outputs[0] : node.outputs[0];
    return { out: biased, weights: (b) => ({ rows: b.op('Transpose', [weight], { perm: attr.ints([1, 0]) }), scale: 1 }) };
  }
  if (node.op === 'Conv' && node.inputs[0] === pooled && value.dims.length === 4 && value.dims[2] === 1 && value.dims[3] === 1 && getInt(node, 'group', 1) === 1) {
    let out = node.outputs[0];
    for (let next = soleReader(w, out); next && RESHAPES.has(next.op); next = soleReader(w, out)) out = next.outputs[0];
    return { out, weights: (b) => ({ rows: b.op('Reshape', [weight, b.int64([value.dims[0], k])]), scale: 1 }) };
  }
  return undefined;
}

/** The recognised path from a layer A to the logits (see the header). */
interface PooledHead {
  /** The Relu's output when one sits between A and the pool. */
  relu?: string;
  /** The pool's output, [B, K, 1, 1]. */
  pooled: string;
  /** The classifier's weights; undefined when the pooled map is the logits. */
  weights?: ClassWeights;
  channels: number;
  area: number;
}

function pooledHead(w: Walk, layer: string, logits: string): PooledHead | undefined {
  const { graph } = w;
  const shape = graph.values.get(layer)?.shape;
  if (!shape || shape.length !== 4) return undefined;
  let node = soleReader(w, layer);
  let relu: string | undefined;
  if (node?.op === 'Relu') {
    relu = node.outputs[0];
    node = soleReader(w, relu);
  }
  if (!node || !isGlobalMean(node, w)) return undefined;
  let pooled = node.outputs[0];
  const pooled4d = pooled;
  node = soleReader(w, pooled);
  while (node && RESHAPES.has(node.op)) {
    pooled = node.outputs[0];
    node = soleReader(w, pooled);
  }
  const head = { relu, pooled: pooled4d, channels: shape[1], area: shape[2] * shape[3] };
  if (pooled === logits || pooled4d === logits) return head;
  if (!node) return undefined;
  const fc = fullyConnected(w, node, node.op === 'Conv' ? pooled4d : pooled);
  return fc?.out === logits ? { ...head, weights: fc.weights } : undefined;
}

/** Gathers the rows of the chosen classes from the [C, K] weights times `factor`, as [B, K, 1, 1]. */
function classRows(b: GraphBuilder, weights: ClassWeights, chosen: string, channels: number, factor: number): string {
  const { rows, scale } = weights(b);
  const classes = b.shape(rows)[0];
  // A [C, K, 1, 1] table built from the initializer by nodes the runtime folds at load.
  const scaled = b.op('Mul', [rows, b.scalar(scale * factor)]);
  const table = b.op('Reshape', [scaled, b.int64([classes, channels, 1, 1])], {}, 'static_class_weights');
  return b.op('Gather', [table, chosen], { axis: attr.int(0) }, 'static_gradient');
}

/** A gradient that is s·e_c over the channels for each image's class c (see oneHotChannels). */
export interface ChannelSelection {
  /** [B] int64: the class, and so the channel, of each image. */
  classes: string;
  scale: number;
}

const selectionsByGraph = new WeakMap<Graph, Map<string, ChannelSelection>>();
function selections(graph: Graph): Map<string, ChannelSelection> {
  let table = selectionsByGraph.get(graph);
  if (!table) selectionsByGraph.set(graph, (table = new Map()));
  return table;
}

/**
 * When `gradient` ([B, K, 1, 1]) was built above as s·e_c for the pooled-logits head without a Relu, its
 * classes and s: a weighted channel sum Σ_k g_k·A_k is then s·A_c, one gathered channel instead of a
 * K-channel reduction (darknet's K = 1000).
 */
export function oneHotChannels(graph: Graph, gradient: string): ChannelSelection | undefined {
  return selectionsByGraph.get(graph)?.get(gradient);
}

export function staticGradientFor(graph: Graph, layer: string, logits: string): StaticGradient | undefined {
  const head = pooledHead({ graph, readers: consumers(graph) }, layer, logits);
  if (!head) return undefined;
  const { relu, weights, channels, area } = head;
  const masked = (b: GraphBuilder, grad: string, rectifier: RectifierRule) =>
    relu ? rectifier(b, grad, () => b.op('Sign', [relu], {}, 'static_relu_mask')) : grad;
  if (!weights) {
    // The pooled map is the logits (a classifier conv before the pool, as in darknet):
    // ∂y_c/∂A_kij = 1[k = c]/(h·w).
    return {
      build(b, chosen, rectifier) {
        const oneHot = oneHotRows(b, chosen, channels, 'static_channel');
        const grad = b.op('Reshape', [b.op('Mul', [oneHot, b.scalar(1 / area)]), b.int64([-1, channels, 1, 1])], {}, 'static_gradient');
        if (relu) return masked(b, grad, rectifier);
        selections(b.graph).set(grad, { classes: chosen, scale: 1 / area });
        return grad;
      },
    };
  }
  return { build: (b, chosen, rectifier) => masked(b, classRows(b, weights, chosen, channels, 1 / area), rectifier) };
}

/** How far back from the logits the head's global pool may sit (classifier, bias, reshapes). */
const HEAD_DEPTH = 8;

export interface HeadSeed {
  /** The global pool's output [B, K, 1, 1], where the backward pass starts. */
  value: string;
  /** Builds ∂y_c/∂pooled = α·W[c, :] for the classes in `chosen` ([B] int64). */
  build(b: GraphBuilder, chosen: string): string;
}

/**
 * A backward pass from the logits through a pooled classifier head (the path above, with a classifier)
 * can start at the pool's output instead: its gradient there is the gathered class row α·W[c, :], where
 * the logits' one-hot seed would go through the classifier's adjoint (reading the whole weight matrix)
 * and the reshapes. The pool's own adjoint stays a backward rule (its layout-friendly form).
 */
export function pooledHeadSeed(graph: Graph, logits: string): HeadSeed | undefined {
  const made = producers(graph);
  const w: Walk = { graph, readers: consumers(graph) };
  let node = made.get(logits);
  for (let depth = 0; node && depth < HEAD_DEPTH; depth++) {
    const head = pooledHead(w, node.inputs[0], logits);
    if (head?.weights && !head.relu) {
      const { weights, channels } = head;
      return { value: head.pooled, build: (b, chosen) => classRows(b, weights, chosen, channels, 1) };
    }
    node = made.get(node.inputs[0]);
  }
  return undefined;
}
