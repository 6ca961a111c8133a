/** The kernel table: one kernel per op of the IR's op-schema table (a missing kernel is a compile error). */
import type { KnownOp } from '../../ir/ops/index.js';
import { BatchNormalization } from './batchNormalization.js';
import { Where, binaryKernels } from './binary.js';
import { Clip } from './clip.js';
import { Concat, Split } from './concat.js';
import { Cast, Constant, ConstantOfShape, Range, Shape } from './constants.js';
import { Conv } from './conv.js';
import { ConvTranspose } from './convTranspose.js';
import { CumSum } from './cumSum.js';
import { DepthToSpace } from './depthToSpace.js';
import { Dropout } from './dropout.js';
import { MaxUnpool } from './maxUnpool.js';
import { Expand, Tile } from './expand.js';
import { Gather } from './gather.js';
import { Gemm } from './gemm.js';
import type { Kernel } from './kernel.js';
import { MatMul } from './matmul.js';
import { Pad } from './pad.js';
import { AveragePool, GlobalAveragePool, GlobalMaxPool, MaxPool } from './pool.js';
import { ArgMax, reduceKernels } from './reduce.js';
import { Flatten, Reshape, Squeeze, Unsqueeze } from './reshape.js';
import { Resize } from './resize.js';
import { ScatterElements } from './scatterElements.js';
import { Slice } from './slice.js';
import { LogSoftmax, Softmax } from './softmax.js';
import { Transpose } from './transpose.js';
import { unaryKernels } from './unary.js';

export type { Kernel } from './kernel.js';

export const kernels: { readonly [K in KnownOp]: Kernel } = {
  Conv,
  ConvTranspose,
  Gemm,
  MatMul,
  MaxPool,
  AveragePool,
  GlobalAveragePool,
  GlobalMaxPool,
  BatchNormalization,
  Softmax,
  LogSoftmax,
  ...unaryKernels,
  Clip,
  Dropout,
  CumSum,
  ...binaryKernels,
  Where,
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
  MaxUnpool,
  Gather,
  ScatterElements,
  Resize,
  Shape,
  Constant,
  ConstantOfShape,
  Range,
  Cast,
  ...reduceKernels,
  ArgMax,
};
