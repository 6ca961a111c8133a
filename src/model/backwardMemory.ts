/**
 * What the backward pass must keep from the forward pass, per op on the differentiated path
 * (the FPGA design of DESIGN.md, "Edge hardware"):
 *   rectifier (Relu, LeakyRelu, Clip),  1 bit per output: the derivative is one of two values
 *   HardSigmoid                          (1[y>0]; 1 or α; 1[lo<y<hi]; α·1[0<y<1]), a function of the output
 *   MaxPool k_h×k_w                     ⌈log2(k_h·k_w)⌉ bits per pooled output: which window position won
 *   smooth non-linearities (Sigmoid, Tanh, Softmax: their output; HardSwish: its input, the
 *   derivative x/3 + 1/2 varies; products of two activations: both operands)
 *                                        the activation itself: no mask can replace it
 *   linear ops (Conv, Gemm, Add, pools without max, reshapes)   nothing: input gradients do not read activations
 * The comparison is what a run-time autograd keeps for the same rules: the float32 tensors the masks
 * are taken from — each rectifier's output and each max-pool's input, each tensor counted once (a
 * pool reading a ReLU's output shares it).
 */
import type { Graph, Node } from '../ir/graph.js';
import { getInts } from '../ir/graph.js';
import { numel } from '../ir/tensor.js';

export interface KeptState {
  /** Bits of 1-bit masks and pool indices the compiled backward pass derives from the forward pass. */
  maskBits: number;
  /** Bits of float32 activations the backward pass keeps because no mask can stand for them. */
  activationBits: number;
  /** Bits of float32 activations a run-time autograd keeps where heatlens keeps masks. */
  replacedBits: number;
}

interface NodeKept {
  maskBits: number;
  activationBits: number;
  /** The activations a run-time autograd would keep instead of the masks. */
  replaces: readonly string[];
}

type KeptRule = (graph: Graph, node: Node, dependsOnInput: (value: string) => boolean) => NodeKept;

const elements = (graph: Graph, value: string): number => numel(graph.values.get(value)?.shape ?? []);
const FLOAT32_BITS = 32;

/** 1 bit per output element, replacing the float32 output. */
const rectifier: KeptRule = (g, n) => ({ maskBits: elements(g, n.outputs[0]), activationBits: 0, replaces: [n.outputs[0]] });

/** The activation (output) kept in float32. */
const keepsOutput: KeptRule = (g, n) => ({ maskBits: 0, activationBits: FLOAT32_BITS * elements(g, n.outputs[0]), replaces: [] });

/** The input kept in float32 (HardSwish's derivative is a function of x, not of y). */
const keepsInput: KeptRule = (g, n) => ({ maskBits: 0, activationBits: FLOAT32_BITS * elements(g, n.inputs[0]), replaces: [] });

/** A product/quotient of two activations keeps both operands (d(a·b) = da·b + a·db). */
const keepsVaryingOperands: KeptRule = (g, n, varies) => {
  const [a, b] = n.inputs;
  if (!varies(a) || !varies(b)) return NONE;
  return { maskBits: 0, activationBits: FLOAT32_BITS * (elements(g, a) + elements(g, b)), replaces: [] };
};

const maxPool: KeptRule = (g, n) => {
  const kernel = getInts(n, 'kernel_shape', []);
  const positions = kernel.reduce((p, k) => p * k, 1);
  const pooled = elements(g, n.outputs[0]);
  return { maskBits: Math.ceil(Math.log2(Math.max(positions, 2))) * pooled, activationBits: 0, replaces: [n.inputs[0]] };
};

const NONE: NodeKept = { maskBits: 0, activationBits: 0, replaces: [] };

export const KEPT_BY_OP: Readonly<Record<string, KeptRule>> = {
  Relu: rectifier,
  LeakyRelu: rectifier,
  Clip: rectifier,
  MaxPool: maxPool,
  Sigmoid: keepsOutput,
  Tanh: keepsOutput,
  HardSigmoid: rectifier,
  HardSwish: keepsInput,
  Softmax: keepsOutput,
  Mul: keepsVaryingOperands,
  Div: keepsVaryingOperands,
};

/** The state kept for the backward pass through `nodes` (the nodes on the path from input to score). */
export function keptState(graph: Graph, nodes: readonly Node[], dependsOnInput: (value: string) => boolean): KeptState {
  const total: KeptState = { maskBits: 0, activationBits: 0, replacedBits: 0 };
  const replaced = new Set<string>();
  for (const node of nodes) {
    const rule = KEPT_BY_OP[node.op];
    if (!rule) continue;
    const kept = rule(graph, node, dependsOnInput);
    total.maskBits += kept.maskBits;
    total.activationBits += kept.activationBits;
    for (const v of kept.replaces) replaced.add(v);
  }
  for (const v of replaced) total.replacedBits += FLOAT32_BITS * elements(graph, v);
  return total;
}
