/**
 * Grappler's fused forms (_FusedConv2D, FusedDepthwiseConv2dNative, _FusedMatMul): the core op
 * followed by `fused_ops` in order, reading `num_args` extra inputs after the core op's two:
 *   BiasAdd (1 arg: bias)  ·  FusedBatchNorm (4 args: scale, offset, mean, variance; attr epsilon)
 *   Relu · Relu6 · LeakyRelu (attr leakyrelu_alpha, default 0.2) · Sigmoid · Tanh
 * expanded into the same IR nodes as the unfused ops (the bias folds into the Conv / Gemm).
 */
import { getFloat, getInt, getStrings } from '../attrs.js';
import { dataInputs, type GraphImport, type TfValue } from '../context.js';
import type { TfNodeDef } from '../types.js';
import { ACTIVATIONS, type ActivationKind, activation } from './activations.js';
import { batchNorm } from './batchNorm.js';
import { addBias } from './biasAdd.js';

const ARGS: Readonly<Record<string, number>> = { BiasAdd: 1, FusedBatchNorm: 4 };

export function checkFused(node: TfNodeDef, allowBatchNorm: boolean): string[] {
  const ops = getStrings(node, 'fused_ops');
  const problems: string[] = [];
  let args = 0;
  for (const op of ops) {
    if (op in ARGS && (op !== 'FusedBatchNorm' || allowBatchNorm)) args += ARGS[op];
    else if (!(ACTIVATIONS as readonly string[]).includes(op)) problems.push(`fused op '${op}' (supported: BiasAdd, ${allowBatchNorm ? 'FusedBatchNorm, ' : ''}${ACTIVATIONS.join(', ')})`);
  }
  const numArgs = getInt(node, 'num_args', args);
  const extra = dataInputs(node).length - 2;
  if (problems.length === 0 && (numArgs !== args || extra !== args)) {
    problems.push(`fused_ops [${ops.join(', ')}] take ${args} extra inputs, but num_args = ${numArgs} and the node has ${extra}`);
  }
  return problems;
}

/** Applies `fused_ops` to the core op's output `y`. */
export function applyFused(ctx: GraphImport, node: TfNodeDef, y: TfValue): TfValue {
  let next = 2;
  const arg = () => ctx.input(node, next++);
  for (const op of getStrings(node, 'fused_ops')) {
    const suffix = op.toLowerCase();
    if (op === 'BiasAdd') y = addBias(ctx, node, y, arg(), undefined, suffix);
    else if (op === 'FusedBatchNorm') y = batchNorm(ctx, node, y, [arg(), arg(), arg(), arg()], getFloat(node, 'epsilon', 1e-4), suffix);
    else y = activation(ctx, node, op as ActivationKind, y, getFloat(node, 'leakyrelu_alpha', 0.2), suffix);
  }
  return y;
}
