/**
 * The backward-rule table, keyed by ONNX op type. `DifferentiableOp` lists every op heatlens can
 * differentiate; the mapped type makes a missing rule a compile error.
 */
import type { BackwardRule } from '../types.js';
import { add, div, mul, sub } from './arithmetic.js';
import { averagePool } from './averagePool.js';
import { batchNorm } from './batchNorm.js';
import { clip } from './clip.js';
import { concat } from './concat.js';
import { conv } from './conv.js';
import { gemm } from './gemm.js';
import { globalAveragePool } from './globalAveragePool.js';
import { hardSigmoid } from './hardSigmoid.js';
import { hardSwish } from './hardSwish.js';
import { leakyRelu } from './leakyRelu.js';
import { matmul } from './matmul.js';
import { maxPool } from './maxPool.js';
import { pad } from './pad.js';
import { reduceMean, reduceSum } from './reduce.js';
import { relu } from './relu.js';
import { passThrough, reshapeLike, transpose } from './shapes.js';
import { sigmoid } from './sigmoid.js';
import { slice } from './slice.js';
import { softmax } from './softmax.js';
import { split } from './split.js';
import { tanh } from './tanh.js';

export type DifferentiableOp =
  | 'Conv' | 'Gemm' | 'MatMul'
  | 'Relu' | 'LeakyRelu' | 'Clip' | 'Sigmoid' | 'Tanh' | 'Softmax' | 'HardSigmoid' | 'HardSwish'
  | 'MaxPool' | 'AveragePool' | 'GlobalAveragePool' | 'ReduceSum' | 'ReduceMean'
  | 'Add' | 'Sub' | 'Mul' | 'Div'
  | 'Flatten' | 'Reshape' | 'Squeeze' | 'Unsqueeze' | 'Transpose' | 'Concat' | 'Split' | 'Slice' | 'Pad'
  | 'BatchNormalization' | 'Identity' | 'Dropout';

export const backwardRules: { readonly [K in DifferentiableOp]: BackwardRule } = {
  Conv: conv,
  Gemm: gemm,
  MatMul: matmul,
  Relu: relu,
  LeakyRelu: leakyRelu,
  Clip: clip,
  Sigmoid: sigmoid,
  Tanh: tanh,
  Softmax: softmax,
  HardSigmoid: hardSigmoid,
  HardSwish: hardSwish,
  MaxPool: maxPool,
  AveragePool: averagePool,
  GlobalAveragePool: globalAveragePool,
  ReduceSum: reduceSum,
  ReduceMean: reduceMean,
  Add: add,
  Sub: sub,
  Mul: mul,
  Div: div,
  Flatten: reshapeLike,
  Reshape: reshapeLike,
  Squeeze: reshapeLike,
  Unsqueeze: reshapeLike,
  Transpose: transpose,
  Concat: concat,
  Split: split,
  Slice: slice,
  Pad: pad,
  BatchNormalization: batchNorm,
  Identity: passThrough,
  Dropout: passThrough,
};

export const hasBackwardRule = (op: string): op is DifferentiableOp => Object.hasOwn(backwardRules, op);
