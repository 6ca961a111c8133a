/**
 * The backward-rule cases: one small forward graph per rule and form (every Conv adjoint form, every
 * MaxPool routing form, …), shared by the finite-difference checks (grad.test.ts) and the browser-path
 * check (web.test.ts), so both cover the same emitted operations.
 */
import type { GraphBuilder } from '../../src/ir/builder.js';
import { appendBackward } from '../../src/grad/backward.js';
import { attr, cloneGraph, type Graph } from '../../src/ir/graph.js';
import { floatTensor } from '../../src/ir/tensor.js';
import { exactRectifier } from '../../src/methods/rectifiers.js';
import { graphOf, randomConstant } from './graphs.js';
import type { Random } from './random.js';

export interface RuleCase {
  name: string;
  x: number[];
  build: (b: GraphBuilder, x: string, rnd: Random) => string;
  /** Scale of the random input (e.g. larger to exercise both sides of Clip's bounds). */
  scale?: number;
}

export const conv = (attrs: Record<string, ReturnType<typeof attr.ints> | ReturnType<typeof attr.int>>, w: number[], bias = true): RuleCase['build'] =>
  (b, x, rnd) => b.op('Conv', [x, randomConstant(b, rnd, w, 0.5), ...(bias ? [randomConstant(b, rnd, [w[0]], 0.1, 'bias')] : [])], attrs);

export const backwardRuleCases: RuleCase[] = [
  // Conv: the stride-1 fast form (flipped weights) and the ConvTranspose form.
  { name: 'Conv 3×3 stride 1 pad 1', x: [2, 3, 6, 6], build: conv({ pads: attr.ints([1, 1, 1, 1]) }, [4, 3, 3, 3]) },
  { name: 'Conv 3×3 stride 1 no pad, no bias', x: [1, 2, 5, 6], build: conv({}, [3, 2, 3, 3], false) },
  { name: 'Conv 3×3 stride 2 pad 1', x: [1, 3, 7, 7], build: conv({ strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]) }, [4, 3, 3, 3]) },
  { name: 'Conv 3×3 stride 2 asymmetric pads (TF same)', x: [1, 2, 8, 8], build: conv({ strides: attr.ints([2, 2]), pads: attr.ints([0, 0, 1, 1]) }, [3, 2, 3, 3]) },
  { name: 'Conv 3×3 stride 1 asymmetric pads', x: [1, 2, 5, 5], build: conv({ pads: attr.ints([0, 1, 2, 1]) }, [3, 2, 3, 3]) },
  { name: 'Conv 2×3 stride (3,2) pads (1,0,2,1)', x: [1, 2, 9, 8], build: conv({ strides: attr.ints([3, 2]), pads: attr.ints([1, 0, 2, 1]) }, [2, 2, 2, 3]) },
  { name: 'Conv 3×3 dilation 2 pad 2', x: [1, 2, 7, 7], build: conv({ dilations: attr.ints([2, 2]), pads: attr.ints([2, 2, 2, 2]) }, [3, 2, 3, 3]) },
  { name: 'Conv 3×3 dilation 2 stride 2', x: [1, 2, 9, 9], build: conv({ dilations: attr.ints([2, 2]), strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]) }, [3, 2, 3, 3]) },
  { name: 'Conv group 2', x: [1, 4, 5, 5], build: conv({ group: attr.int(2), pads: attr.ints([1, 1, 1, 1]) }, [6, 2, 3, 3]) },
  { name: 'Conv depthwise stride 1', x: [2, 3, 6, 6], build: conv({ group: attr.int(3), pads: attr.ints([1, 1, 1, 1]) }, [3, 1, 3, 3]) },
  { name: 'Conv depthwise stride 2 asymmetric', x: [1, 4, 8, 8], build: conv({ group: attr.int(4), strides: attr.ints([2, 2]), pads: attr.ints([0, 0, 1, 1]) }, [4, 1, 3, 3]) },
  { name: 'Conv depthwise stride 2 pad 1, even input (output_padding 1)', x: [1, 4, 8, 8], build: conv({ group: attr.int(4), strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]) }, [4, 1, 3, 3]) },
  // Strided depthwise: the zero-inserted form (1×1 ConvTranspose spreading dY, then a flipped depthwise Conv).
  { name: 'Conv depthwise stride 2 pad 1, odd input 7×7', x: [1, 3, 7, 7], build: conv({ group: attr.int(3), strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]) }, [3, 1, 3, 3]) },
  { name: 'Conv depthwise 5×5 stride 2 pads (2,1,1,2), 9×8', x: [2, 2, 9, 8], build: conv({ group: attr.int(2), strides: attr.ints([2, 2]), pads: attr.ints([2, 1, 1, 2]) }, [2, 1, 5, 5]) },
  { name: 'Conv depthwise stride (3,2) dilation 2 pad 2, 11×10', x: [1, 3, 11, 10], build: conv({ group: attr.int(3), strides: attr.ints([3, 2]), dilations: attr.ints([2, 2]), pads: attr.ints([2, 2, 2, 2]) }, [3, 1, 3, 3]) },
  { name: 'Conv depthwise 1-D stride 2, length 9', x: [1, 3, 9], build: conv({ group: attr.int(3), strides: attr.ints([2]), pads: attr.ints([1, 0]) }, [3, 1, 3]) },
  { name: 'Conv depthwise stride 2 no pad, remainder dropped (8 → 3)', x: [1, 2, 8, 8], build: conv({ group: attr.int(2), strides: attr.ints([2, 2]) }, [2, 1, 3, 3]) },
  { name: 'Conv stride 2 pad 1, even input (output_padding 1)', x: [1, 3, 8, 8], build: conv({ strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]) }, [4, 3, 3, 3]) },
  { name: 'Conv stride 2 pad 1, 16 input channels (ConvTranspose + identity depthwise Conv back into NCHWc)', x: [1, 16, 6, 6], build: conv({ strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]) }, [4, 16, 3, 3]) },
  { name: 'Conv depthwise multiplier 2', x: [1, 2, 5, 5], build: conv({ group: attr.int(2), pads: attr.ints([1, 1, 1, 1]) }, [4, 1, 3, 3]) },
  { name: 'Conv 1×1', x: [1, 5, 4, 4], build: conv({}, [3, 5, 1, 1]) },
  // Few input channels, stride 1, even size: the polyphase adjoint (stride-2 Conv + interleaving ConvTranspose).
  { name: 'Conv 3×3 stride 1 asymmetric pads, 2 channels, 6×4 (polyphase)', x: [1, 2, 6, 4], build: conv({ pads: attr.ints([0, 1, 2, 1]) }, [3, 2, 3, 3]) },
  { name: 'Conv 5×5 no pad, 3 channels, 8×10 (polyphase)', x: [2, 3, 8, 10], build: conv({}, [4, 3, 5, 5]) },
  { name: 'Conv 2×3 pads (1,0,0,2), grey 6×8 (polyphase)', x: [1, 1, 6, 8], build: conv({ pads: attr.ints([1, 0, 0, 2]) }, [3, 1, 2, 3]) },
  { name: 'Conv 1×1, 4 channels (polyphase)', x: [1, 4, 4, 2], build: conv({}, [5, 4, 1, 1], false) },
  { name: 'Conv pad larger than kernel reach', x: [1, 1, 4, 4], build: conv({ pads: attr.ints([3, 3, 3, 3]) }, [2, 1, 3, 3]) },
  // Dense layers.
  { name: 'Gemm transB', x: [3, 5], build: (b, x, rnd) => b.op('Gemm', [x, randomConstant(b, rnd, [4, 5]), randomConstant(b, rnd, [4])], { transB: attr.int(1) }) },
  { name: 'Gemm alpha beta, C [1,4]', x: [3, 5], build: (b, x, rnd) => b.op('Gemm', [x, randomConstant(b, rnd, [5, 4]), randomConstant(b, rnd, [1, 4])], { alpha: attr.float(0.7), beta: attr.float(1.3) }) },
  { name: 'Gemm transA', x: [5, 3], build: (b, x, rnd) => b.op('Gemm', [x, randomConstant(b, rnd, [5, 4])], { transA: attr.int(1) }) },
  { name: 'Gemm x as B', x: [5, 4], build: (b, x, rnd) => b.op('Gemm', [randomConstant(b, rnd, [3, 5]), x], {}) },
  { name: 'Gemm x as B, transB', x: [4, 5], build: (b, x, rnd) => b.op('Gemm', [randomConstant(b, rnd, [5, 3]), x], { transA: attr.int(1), transB: attr.int(1) }) },
  { name: 'MatMul 2-D', x: [3, 5], build: (b, x, rnd) => b.op('MatMul', [x, randomConstant(b, rnd, [5, 4])]) },
  { name: 'MatMul batched, broadcast weight', x: [2, 3, 5], build: (b, x, rnd) => b.op('MatMul', [x, randomConstant(b, rnd, [5, 4])]) },
  { name: 'MatMul x on the right, batch broadcast', x: [5, 4], build: (b, x, rnd) => b.op('MatMul', [randomConstant(b, rnd, [2, 3, 5]), x]) },
  { name: 'MatMul 1-D vector', x: [5], build: (b, x, rnd) => b.op('MatMul', [x, randomConstant(b, rnd, [5, 4])]) },
  { name: 'MatMul matrix · 1-D', x: [5], build: (b, x, rnd) => b.op('MatMul', [randomConstant(b, rnd, [3, 5]), x]) },
  { name: 'MatMul x·x', x: [3, 3], build: (b, x) => b.op('MatMul', [x, x]) },
  // Activations.
  { name: 'Relu', x: [2, 3, 4, 4], build: (b, x) => b.op('Relu', [x]) },
  { name: 'LeakyRelu 0.1', x: [2, 3, 4], build: (b, x) => b.op('LeakyRelu', [x], { alpha: attr.float(0.1) }) },
  { name: 'Clip 0..6 (ReLU6)', x: [2, 3, 4, 4], scale: 5, build: (b, x) => b.op('Clip', [x, b.scalar(0), b.scalar(6)]) },
  { name: 'Clip −1..2', x: [4, 5], scale: 2, build: (b, x) => b.op('Clip', [x, b.scalar(-1), b.scalar(2)]) },
  { name: 'Clip min only', x: [4, 5], build: (b, x) => b.op('Clip', [x, b.scalar(0.2)]) },
  { name: 'Sigmoid', x: [3, 4], scale: 2, build: (b, x) => b.op('Sigmoid', [x]) },
  { name: 'Tanh', x: [3, 4], scale: 2, build: (b, x) => b.op('Tanh', [x]) },
  { name: 'HardSigmoid α 1/6 β 1/2 (PyTorch Hardsigmoid)', x: [3, 4], scale: 4, build: (b, x) => b.op('HardSigmoid', [x], { alpha: attr.float(1 / 6), beta: attr.float(0.5) }) },
  { name: 'HardSigmoid ONNX defaults', x: [3, 4], scale: 3, build: (b, x) => b.op('HardSigmoid', [x]) },
  { name: 'HardSwish', x: [2, 3, 4], scale: 4, build: (b, x) => b.op('HardSwish', [x]) },
  { name: 'x · HardSigmoid(x) (HardSwish as exported before opset 14)', x: [2, 3, 4], scale: 4, build: (b, x) => b.op('Mul', [x, b.op('HardSigmoid', [x], { alpha: attr.float(1 / 6), beta: attr.float(0.5) })]) },
  { name: 'x · Sigmoid(x) (SiLU as exported)', x: [2, 3, 4], scale: 3, build: (b, x) => b.op('Mul', [x, b.op('Sigmoid', [x])]) },
  { name: 'Softmax last axis', x: [3, 5], build: (b, x) => b.op('Softmax', [x], { axis: attr.int(-1) }) },
  { name: 'Softmax axis 1 of 4-D', x: [2, 3, 2, 2], build: (b, x) => b.op('Softmax', [x], { axis: attr.int(1) }) },
  // Pooling.
  { name: 'MaxPool 2×2/2', x: [2, 3, 6, 6], build: (b, x) => b.op('MaxPool', [x], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }) },
  { name: 'MaxPool 3×2/(3,2) tiling the input (phase form, non-square windows)', x: [2, 2, 6, 8], build: (b, x) => b.op('MaxPool', [x], { kernel_shape: attr.ints([3, 2]), strides: attr.ints([3, 2]) }) },
  { name: 'MaxPool 2×2/2 odd input (floor drops a row)', x: [1, 2, 7, 5], build: (b, x) => b.op('MaxPool', [x], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }) },
  { name: 'MaxPool 2×2/2 ceil mode odd input', x: [1, 2, 7, 5], build: (b, x) => b.op('MaxPool', [x], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]), ceil_mode: attr.int(1) }) },
  { name: 'MaxPool 2×2/2 asymmetric pads', x: [1, 2, 5, 5], build: (b, x) => b.op('MaxPool', [x], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 0, 0]) }) },
  { name: 'MaxPool 3×3/2 pad 1 (overlapping, ResNet stem)', x: [2, 3, 8, 8], build: (b, x) => b.op('MaxPool', [x], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]) }) },
  { name: 'MaxPool 3×3/2 ceil mode (overlapping)', x: [1, 2, 8, 8], build: (b, x) => b.op('MaxPool', [x], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]), ceil_mode: attr.int(1) }) },
  { name: 'MaxPool 3×3/1 same', x: [1, 2, 5, 5], build: (b, x) => b.op('MaxPool', [x], { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) }) },
  { name: 'Relu → MaxPool 2×2/2 (fused backward)', x: [2, 3, 6, 6], build: (b, x) => b.op('MaxPool', [b.op('Relu', [x])], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }) },
  { name: 'LeakyRelu → MaxPool 3×3/2 pad 1 (overlapping: not fused)', x: [1, 2, 7, 7], build: (b, x) => b.op('MaxPool', [b.op('LeakyRelu', [x], { alpha: attr.float(0.1) })], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]) }) },
  { name: 'ReLU6 → MaxPool 2×2/2 (fused)', x: [1, 2, 6, 6], scale: 5, build: (b, x) => b.op('MaxPool', [b.op('Clip', [x, b.scalar(0), b.scalar(6)])], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }) },
  { name: 'Relu read twice → MaxPool (not fused)', x: [1, 2, 4, 4], build: (b, x) => { const r = b.op('Relu', [x]); return b.op('Add', [b.op('MaxPool', [r], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }), b.op('MaxPool', [r], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) })]); } },
  { name: 'AveragePool 2×2/2', x: [1, 3, 6, 6], build: (b, x) => b.op('AveragePool', [x], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }) },
  { name: 'AveragePool 3×3/2 pad 1 count_include_pad=0', x: [1, 2, 7, 7], build: (b, x) => b.op('AveragePool', [x], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]) }) },
  { name: 'AveragePool 3×3/2 pad 1 count_include_pad=1', x: [1, 2, 7, 7], build: (b, x) => b.op('AveragePool', [x], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]), count_include_pad: attr.int(1) }) },
  { name: 'AveragePool 3×3/2 ceil mode, include pad', x: [1, 2, 8, 8], build: (b, x) => b.op('AveragePool', [x], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]), ceil_mode: attr.int(1), count_include_pad: attr.int(1) }) },
  { name: 'AveragePool 2×2/2 ceil mode odd, exclude pad', x: [1, 2, 7, 5], build: (b, x) => b.op('AveragePool', [x], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]), ceil_mode: attr.int(1) }) },
  { name: 'AveragePool 3×3/1 pad 1 count_include_pad=0 (Inception branch)', x: [1, 3, 6, 5], build: (b, x) => b.op('AveragePool', [x], { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) }) },
  { name: 'AveragePool 3×3/2 ceil mode, last window overhangs 6×6', x: [1, 2, 6, 6], build: (b, x) => b.op('AveragePool', [x], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]), ceil_mode: attr.int(1) }) },
  { name: 'GlobalAveragePool', x: [2, 3, 4, 5], build: (b, x) => b.op('GlobalAveragePool', [x]) },
  { name: '1×1 Conv → GlobalAveragePool (fused backward at one position)', x: [2, 3, 4, 5], build: (b, x, rnd) => b.op('GlobalAveragePool', [conv({}, [4, 3, 1, 1])(b, x, rnd)]) },
  { name: '1×1 Conv group 2 → GlobalAveragePool (fused)', x: [1, 4, 3, 3], build: (b, x, rnd) => b.op('GlobalAveragePool', [conv({ group: attr.int(2) }, [6, 2, 1, 1])(b, x, rnd)]) },
  { name: '1×1 Conv stride 2 → GlobalAveragePool (not fused)', x: [1, 3, 5, 5], build: (b, x, rnd) => b.op('GlobalAveragePool', [conv({ strides: attr.ints([2, 2]) }, [2, 3, 1, 1])(b, x, rnd)]) },
  { name: 'GlobalAveragePool of 16 channels (scale and broadcast in NCHWc form)', x: [1, 16, 3, 4], build: (b, x) => b.op('Mul', [b.op('GlobalAveragePool', [b.op('Tanh', [x])]), b.op('GlobalAveragePool', [x])]) },
  { name: 'ReduceMean axes [2,3] keepdims', x: [2, 3, 4, 5], build: (b, x) => b.op('ReduceMean', [x], { axes: attr.ints([2, 3]), keepdims: attr.int(1) }) },
  { name: 'ReduceMean axis −1 without keepdims', x: [2, 3, 4], build: (b, x) => b.op('Tanh', [b.op('ReduceMean', [x], { axes: attr.ints([-1]), keepdims: attr.int(0) })]) },
  { name: 'ReduceSum axes [0,2]', x: [2, 3, 4], build: (b, x) => b.op('Tanh', [b.op('ReduceSum', [x, b.int64([0, 2])], { keepdims: attr.int(0) })]) },
  { name: 'ReduceSum all axes', x: [2, 3], build: (b, x) => b.op('Mul', [b.op('ReduceSum', [x], { keepdims: attr.int(1) }), x]) },
  // Broadcasting arithmetic, with constant and non-constant operands.
  { name: 'Add constant [3,1,1]', x: [2, 3, 4, 4], build: (b, x, rnd) => b.op('Add', [x, randomConstant(b, rnd, [3, 1, 1])]) },
  { name: 'Sub constant on the left', x: [2, 3], build: (b, x, rnd) => b.op('Sub', [randomConstant(b, rnd, [3]), x]) },
  { name: 'Mul constant [1,3,1,1]', x: [2, 3, 2, 2], build: (b, x, rnd) => b.op('Mul', [x, randomConstant(b, rnd, [1, 3, 1, 1])]) },
  { name: 'Div by constant', x: [2, 3], build: (b, x) => b.op('Div', [x, b.constant(floatTensor([3], [2, -4, 0.5]))]) },
  { name: 'Div constant by x', x: [2, 3], build: (b, x) => b.op('Div', [b.scalar(3), b.op('Add', [b.op('Mul', [x, x]), b.scalar(1)])]) },
  { name: 'Mul x by its broadcast channel mean (squeeze-excitation shape)', x: [2, 3, 4, 4], build: (b, x) => b.op('Mul', [x, b.op('Sigmoid', [b.op('GlobalAveragePool', [x])])]) },
  { name: 'Add residual fan-out', x: [1, 2, 4, 4], build: (b, x, rnd) => b.op('Add', [x, b.op('Relu', [conv({ pads: attr.ints([1, 1, 1, 1]) }, [2, 2, 3, 3])(b, x, rnd)])]) },
  { name: 'Sub x − x²', x: [3, 2], build: (b, x) => b.op('Sub', [x, b.op('Mul', [x, x])]) },
  // Data movement.
  { name: 'Flatten', x: [2, 3, 2, 2], build: (b, x, rnd) => b.op('Gemm', [b.op('Flatten', [x], { axis: attr.int(1) }), randomConstant(b, rnd, [5, 12])], { transB: attr.int(1) }) },
  { name: 'Reshape', x: [2, 3, 4], build: (b, x) => b.op('Mul', [b.op('Reshape', [x, b.int64([4, -1])]), b.op('Reshape', [x, b.int64([4, 6])])]) },
  { name: 'Transpose', x: [2, 3, 4], build: (b, x, rnd) => b.op('Mul', [b.op('Transpose', [x], { perm: attr.ints([2, 0, 1]) }), randomConstant(b, rnd, [4, 2, 3])]) },
  { name: 'Squeeze/Unsqueeze', x: [2, 1, 3], build: (b, x) => b.op('Mul', [b.op('Unsqueeze', [b.op('Squeeze', [x, b.int64([1])]), b.int64([0])]), b.scalar(2)]) },
  { name: 'Concat axis 1', x: [2, 3, 2, 2], build: (b, x, rnd) => b.op('Concat', [x, b.op('Tanh', [x]), randomConstant(b, rnd, [2, 1, 2, 2])], { axis: attr.int(1) }) },
  { name: 'Concat of four branches (Inception)', x: [1, 2, 3, 3], build: (b, x, rnd) => b.op('Concat', [b.op('Tanh', [x]), conv({ pads: attr.ints([1, 1, 1, 1]) }, [3, 2, 3, 3])(b, x, rnd), b.op('Mul', [x, x]), b.op('MaxPool', [x], { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) })], { axis: attr.int(1) }) },
  { name: 'Split axis 1 into [1,3,2] (a part unused)', x: [2, 6, 2], build: (b, x) => { const [p, , r] = b.nodeOutputs('Split', [x, b.int64([1, 3, 2])], { axis: attr.int(1) }, 3); return b.op('Mul', [b.op('Tanh', [p]), b.op('Reshape', [r, b.int64([2, 2, 2])])]); } },
  { name: 'Split equal parts, axis −1, both used', x: [3, 4], build: (b, x) => { const [p, q] = b.nodeOutputs('Split', [x], { axis: attr.int(-1) }, 2); return b.op('Mul', [p, b.op('Sigmoid', [q])]); } },
  { name: 'Slice halves of the channels (ShuffleNet chunk)', x: [2, 4, 3, 3], build: (b, x) => b.op('Mul', [b.op('Slice', [x, b.int64([0]), b.int64([2]), b.int64([1])]), b.op('Tanh', [b.op('Slice', [x, b.int64([2]), b.int64([9223372036854775807]), b.int64([1])])])]) },
  { name: 'Slice two axes, negative start, step 2', x: [1, 3, 7, 6], build: (b, x) => b.op('Tanh', [b.op('Slice', [x, b.int64([-6, 1]), b.int64([7, 6]), b.int64([2, 3]), b.int64([2, 3])])]) },
  { name: 'Slice negative step', x: [2, 7], build: (b, x) => b.op('Tanh', [b.op('Slice', [x, b.int64([5]), b.int64([0]), b.int64([1]), b.int64([-2])])]) },
  { name: 'Slice reversed axis, step −1, all of it', x: [2, 5], build: (b, x) => b.op('Mul', [b.op('Slice', [x, b.int64([-1]), b.int64([-1000]), b.int64([1]), b.int64([-1])]), x]) },
  { name: 'Channel shuffle: Reshape [N,2,C/2,H,W] → Transpose → Reshape', x: [1, 6, 2, 2], build: (b, x, rnd) => b.op('Mul', [b.op('Reshape', [b.op('Transpose', [b.op('Reshape', [x, b.int64([1, 2, 3, 2, 2])])], { perm: attr.ints([0, 2, 1, 3, 4]) }), b.int64([1, -1, 2, 2])]), randomConstant(b, rnd, [1, 6, 2, 2])]) },
  { name: 'Pad (Inception count_include_pad) → AveragePool 3×3/1', x: [1, 2, 4, 4], build: (b, x) => b.op('AveragePool', [b.op('Pad', [x, b.int64([0, 0, 1, 1, 0, 0, 1, 1])])], { kernel_shape: attr.ints([3, 3]) }) },
  { name: 'MaxPool 3×3/1 pad 1 ceil mode (GoogLeNet branch)', x: [1, 2, 5, 5], build: (b, x) => b.op('MaxPool', [x], { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]), ceil_mode: attr.int(1) }) },
  { name: 'MaxPool 2×2/2 ceil mode (GoogLeNet maxpool4)', x: [1, 2, 7, 7], build: (b, x) => b.op('MaxPool', [x], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]), ceil_mode: attr.int(1) }) },
  { name: 'ReduceMean axes [2,3] no keepdims (ShuffleNet pool) → Gemm', x: [2, 3, 4, 4], build: (b, x, rnd) => b.op('Gemm', [b.op('ReduceMean', [x], { axes: attr.ints([2, 3]), keepdims: attr.int(0) }), randomConstant(b, rnd, [5, 3])], { transB: attr.int(1) }) },
  { name: 'Pad constant', x: [1, 2, 3, 3], build: (b, x) => b.op('Mul', [b.op('Pad', [x, b.int64([0, 0, 1, 2, 0, 0, 2, 1])]), b.op('Pad', [x, b.int64([0, 0, 1, 2, 0, 0, 2, 1])])]) },
  { name: 'Pad with negative pads (crop)', x: [1, 2, 4, 4], build: (b, x) => b.op('Tanh', [b.op('Pad', [x, b.int64([0, 0, -1, 1, 0, 0, 1, -2])])]) },
  { name: 'BatchNormalization (unfolded)', x: [2, 3, 2, 2], build: (b, x, rnd) => b.op('BatchNormalization', [x, randomConstant(b, rnd, [3]), randomConstant(b, rnd, [3]), randomConstant(b, rnd, [3]), b.constant(floatTensor([3], [0.5, 2, 1.5]))], { epsilon: attr.float(1e-3) }) },
  { name: 'Identity and Dropout', x: [2, 3], build: (b, x) => b.op('Mul', [b.op('Dropout', [b.op('Identity', [x])]), b.op('Tanh', [x])]) },
];

/** A case's forward graph y = f(x) and its VJP graph: inputs x and the cotangent v, output dx = vᵀ·∂y/∂x. */
export interface VjpGraphs {
  forward: Graph;
  vjp: Graph;
  y: string;
  yShape: readonly number[];
  grad: string;
}

/** Builds case `c`'s graphs, drawing its constants from `rnd` (draw x, v, … from it afterwards). */
export function vjpGraphs(c: RuleCase, rnd: Random): VjpGraphs {
  const forward = graphOf(c.x, (b, x) => c.build(b, x, rnd));
  const y = forward.outputs[0];
  const yShape = forward.values.get(y)!.shape;
  const vjp = cloneGraph(forward);
  vjp.inputs.push('v');
  vjp.values.set('v', { dtype: 'float32', shape: yShape });
  const grad = appendBackward(vjp, { wrt: 'x', seeds: new Map([[y, 'v']]), rectifier: exactRectifier });
  vjp.outputs = [grad];
  return { forward, vjp, y, yShape, grad };
}
