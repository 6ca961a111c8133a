/**
 * The TF op table: every TensorFlow op a Graph model may use, keyed by its GraphDef op name. An op not
 * in the table is reported (with every other unsupported op) before anything is imported.
 */
import { unaryActivation } from './activations.js';
import { arithmetic } from './arithmetic.js';
import { fusedBatchNorm } from './batchNorm.js';
import { biasAdd } from './biasAdd.js';
import { concat } from './concat.js';
import { conv2d, depthwiseConv2d, fusedConv2d, fusedDepthwiseConv2d } from './conv.js';
import { fusedMatMul, matMul } from './matmul.js';
import { mean } from './mean.js';
import type { TfOp } from './op.js';
import { pad } from './pad.js';
import { avgPool, maxPool } from './pool.js';
import { reshape } from './reshape.js';
import { softmax } from './softmax.js';
import { constant, identity, placeholder } from './sources.js';
import { squeeze } from './squeeze.js';

export type { TfOp } from './op.js';

export const graphOps = {
  Placeholder: placeholder,
  Const: constant,
  Identity: identity,
  Conv2D: conv2d,
  _FusedConv2D: fusedConv2d,
  DepthwiseConv2dNative: depthwiseConv2d,
  FusedDepthwiseConv2dNative: fusedDepthwiseConv2d,
  BiasAdd: biasAdd,
  FusedBatchNorm: fusedBatchNorm,
  FusedBatchNormV3: fusedBatchNorm,
  Relu: unaryActivation('Relu'),
  Relu6: unaryActivation('Relu6'),
  LeakyRelu: unaryActivation('LeakyRelu'),
  Sigmoid: unaryActivation('Sigmoid'),
  Tanh: unaryActivation('Tanh'),
  MaxPool: maxPool,
  AvgPool: avgPool,
  Mean: mean,
  MatMul: matMul,
  _FusedMatMul: fusedMatMul,
  Add: arithmetic,
  AddV2: arithmetic,
  Sub: arithmetic,
  Mul: arithmetic,
  RealDiv: arithmetic,
  Softmax: softmax,
  Reshape: reshape,
  Squeeze: squeeze,
  Pad: pad,
  PadV2: pad,
  ConcatV2: concat,
} as const satisfies Record<string, TfOp>;

export type TfOpName = keyof typeof graphOps;

export const isSupportedTfOp = (op: string): op is TfOpName => Object.hasOwn(graphOps, op);
