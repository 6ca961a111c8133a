/** The op-schema table: every op the IR can hold, keyed by ONNX op type. */
import { BatchNormalization } from './batchNormalization.js';
import { Concat, Split } from './concat.js';
import { Cast, Constant, ConstantOfShape, Range, Shape } from './constants.js';
import { Conv } from './conv.js';
import { ConvTranspose } from './convTranspose.js';
import { DepthToSpace } from './depthToSpace.js';
import { Broadcasting, Dropout, Unary, Where } from './elementwise.js';
import { Expand, Tile } from './expand.js';
import { Gather } from './gather.js';
import { Gemm } from './gemm.js';
import { MatMul } from './matmul.js';
import { MaxUnpool } from './maxUnpool.js';
import { Pad } from './pad.js';
import { AveragePool, GlobalPool, MaxPool } from './pool.js';
import { ArgMax, Reduce } from './reduce.js';
import { Flatten, Reshape } from './reshape.js';
import { Resize } from './resize.js';
import { ScatterElements } from './scatter.js';
import type { OpSchema } from './schema.js';
import { Slice } from './slice.js';
import { Squeeze, Unsqueeze } from './squeeze.js';
import { Transpose } from './transpose.js';

export const opSchemas = {
  // Layers.
  Conv,
  ConvTranspose,
  Gemm,
  MatMul,
  MaxPool,
  MaxUnpool,
  AveragePool,
  GlobalAveragePool: GlobalPool,
  GlobalMaxPool: GlobalPool,
  BatchNormalization,
  Softmax: Unary(),
  LogSoftmax: Unary(),
  // Activations and unary maths.
  Relu: Unary(),
  LeakyRelu: Unary(),
  Clip: Unary(3),
  Sigmoid: Unary(),
  Tanh: Unary(),
  HardSigmoid: Unary(),
  HardSwish: Unary(),
  Abs: Unary(),
  Neg: Unary(),
  Sqrt: Unary(),
  Exp: Unary(),
  Log: Unary(),
  Reciprocal: Unary(),
  Sign: Unary(),
  Not: Unary(),
  Identity: Unary(),
  Dropout,
  CumSum: Unary(2),
  // Broadcasting binary and variadic.
  Add: Broadcasting(),
  Sub: Broadcasting(),
  Mul: Broadcasting(),
  Div: Broadcasting(),
  Pow: Broadcasting(),
  Max: Broadcasting(undefined, [1, Infinity]),
  Min: Broadcasting(undefined, [1, Infinity]),
  Sum: Broadcasting(undefined, [1, Infinity]),
  Equal: Broadcasting('bool'),
  Greater: Broadcasting('bool'),
  GreaterOrEqual: Broadcasting('bool'),
  Less: Broadcasting('bool'),
  LessOrEqual: Broadcasting('bool'),
  And: Broadcasting('bool'),
  Or: Broadcasting('bool'),
  Where,
  // Shapes and data movement.
  Reshape,
  Flatten,
  Transpose,
  DepthToSpace,
  Concat,
  Split,
  Pad,
  Slice,
  Squeeze,
  Unsqueeze,
  Expand,
  Tile,
  Gather,
  ScatterElements,
  Resize,
  Shape,
  Constant,
  ConstantOfShape,
  Range,
  Cast,
  // Reductions.
  ReduceSum: Reduce,
  ReduceMean: Reduce,
  ReduceMax: Reduce,
  ReduceMin: Reduce,
  ReduceL2: Reduce,
  ArgMax,
} satisfies Record<string, OpSchema>;

export type KnownOp = keyof typeof opSchemas;

export const isKnownOp = (op: string): op is KnownOp => Object.hasOwn(opSchemas, op);
