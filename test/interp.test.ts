/**
 * Reference interpreter: hand-computed small cases per kernel family, and runGraph's contract.
 * (The comparison against onnxruntime is in interp-ort.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HeatlensError } from '../src/errors.js';
import { GraphBuilder } from '../src/ir/builder.js';
import { type Attrs, attr, emptyGraph } from '../src/ir/graph.js';
import { type DType, type Tensor, floatTensor, int64Tensor, makeTensor } from '../src/ir/tensor.js';
import { evaluateNode, runGraph } from '../src/interp/run.js';
import { type NodeInput, oneNodeGraph } from './util/graphs.js';
import { Random } from './util/random.js';

/** A data input fed at run time (the others become initializers, i.e. compile-time constants). */
type In = NodeInput;
const oneNode = oneNodeGraph;

/** Runs a one-node graph in float64 and returns its outputs in order. */
function run(op: string, ins: readonly In[], attrs: Attrs = {}, outputs = 1): Tensor[] {
  const { graph, feeds } = oneNode(op, ins, attrs, outputs);
  const result = runGraph(graph, feeds);
  return graph.outputs.map((o) => result[o]);
}

const f = (dims: number[], values: number[]): Tensor => floatTensor(dims, values);
const fed = (t: Tensor): In => ({ feed: t });
const arange = (dims: number[], from = 0): Tensor => {
  const n = dims.reduce((a, b) => a * b, 1);
  return floatTensor(dims, Array.from({ length: n }, (_, i) => i + from));
};
const ints = (values: number[], dims?: number[]) => int64Tensor(values, dims);
const scalarInt = (v: number) => makeTensor('int64', [], [v]);

function expectTensor(t: Tensor, dtype: DType, dims: number[], values: number[], tol = 1e-12): void {
  assert.equal(t.dtype, dtype);
  assert.deepEqual([...t.dims], dims);
  assert.equal(t.data.length, values.length);
  values.forEach((v, i) => {
    const got = t.data[i];
    if (got === v) return;
    if (Number.isNaN(v)) assert.ok(Number.isNaN(got), `element ${i}: expected NaN, got ${got}`);
    else assert.ok(Math.abs(got - v) <= tol * Math.max(1, Math.abs(v)), `element ${i}: expected ${v}, got ${got} (all: ${Array.from(t.data)})`);
  });
}

test('MaxPool 2×2/2 with ties: first maximum in row-major window order, flat indices', () => {
  const x = f([1, 1, 4, 4], [1, 3, 3, 0, 3, 2, 1, 1, 0, 0, 5, 5, 0, 0, 5, 5]);
  const [y, idx] = run('MaxPool', [fed(x)], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }, 2);
  expectTensor(y, 'float64', [1, 1, 2, 2], [3, 3, 0, 5]);
  expectTensor(idx, 'int64', [1, 1, 2, 2], [1, 2, 8, 10]);
});

test('MaxPool 3×3/2 overlapping, pads 1: indices count N·C·H·W, pads act as −∞', () => {
  // x[n, c] = −(10·(2n + c)) − arange: every value negative, so a 0 from padding would win if pads were 0.
  const x = floatTensor([2, 2, 3, 3], Array.from({ length: 36 }, (_, i) => -Math.floor(i / 9) * 10 - (i % 9)));
  const [y, idx] = run('MaxPool', [fed(x)], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]) }, 2);
  // Output 2×2 per map; window (0,0) covers rows/cols 0..1 → max at (0,0); (0,1) rows 0..1 cols 1..2 → (0,1);
  // (1,0) rows 1..2 cols 0..1 → (1,0); (1,1) → (1,1).
  const expected: number[] = [];
  const indices: number[] = [];
  for (let m = 0; m < 4; m++) {
    for (const [h, w] of [[0, 0], [0, 1], [1, 0], [1, 1]]) {
      expected.push(-m * 10 - (h * 3 + w));
      indices.push(m * 9 + h * 3 + w);
    }
  }
  expectTensor(y, 'float64', [2, 2, 2, 2], expected);
  expectTensor(idx, 'int64', [2, 2, 2, 2], indices);
});

test('MaxPool ceil_mode and dilation', () => {
  const x = arange([1, 1, 5, 5]);
  // ceil: out = ceil((5 − 2)/2) + 1 = 3; the last window holds row/col 4 only.
  const [y] = run('MaxPool', [fed(x)], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]), ceil_mode: attr.int(1) });
  expectTensor(y, 'float64', [1, 1, 3, 3], [6, 8, 9, 16, 18, 19, 21, 23, 24]);
  // dilation 2, kernel 2: taps (i, i+2); out = 5 − 3 + 1 = 3.
  const [z] = run('MaxPool', [fed(x)], { kernel_shape: attr.ints([2, 2]), dilations: attr.ints([2, 2]) });
  expectTensor(z, 'float64', [1, 1, 3, 3], [12, 13, 14, 17, 18, 19, 22, 23, 24]);
});

test('AveragePool count_include_pad 0 and 1, and ceil_mode windows past the end padding', () => {
  const x = f([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const attrs = { kernel_shape: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]) };
  const [exclude] = run('AveragePool', [fed(x)], attrs);
  const [include] = run('AveragePool', [fed(x)], { ...attrs, count_include_pad: attr.int(1) });
  // Window sums over the 4×4 output; exclude divides by the taps inside x, include by 4.
  const sums = [1, 3, 5, 3, 5, 12, 16, 9, 11, 24, 28, 15, 7, 15, 17, 9];
  const inside = [1, 2, 2, 1, 2, 4, 4, 2, 2, 4, 4, 2, 1, 2, 2, 1];
  expectTensor(exclude, 'float64', [1, 1, 4, 4], sums.map((s, i) => s / inside[i]));
  expectTensor(include, 'float64', [1, 1, 4, 4], sums.map((s) => s / 4));
  // ceil_mode, 3×3 ones, kernel 2 stride 2, pads 0: the last window holds one pixel of x and one tap of
  // padded input per axis, so both modes give 1 (onnxruntime divides by taps inside the padded input).
  const ones = f([1, 1, 3, 3], new Array(9).fill(1));
  const ceil = { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]), ceil_mode: attr.int(1) };
  expectTensor(run('AveragePool', [fed(ones)], { ...ceil, count_include_pad: attr.int(1) })[0], 'float64', [1, 1, 2, 2], [1, 1, 1, 1]);
  // With end pads 1 the last window's padded taps count: (1 + 1 pad) per axis → x-sum 1 / (2·2).
  const padded = { ...ceil, pads: attr.ints([0, 0, 1, 1]), count_include_pad: attr.int(1) };
  expectTensor(run('AveragePool', [fed(ones)], padded)[0], 'float64', [1, 1, 2, 2], [1, 0.5, 0.5, 0.25]);
});

test('GlobalAveragePool and GlobalMaxPool', () => {
  const x = arange([1, 2, 2, 2]);
  expectTensor(run('GlobalAveragePool', [fed(x)])[0], 'float64', [1, 2, 1, 1], [1.5, 5.5]);
  expectTensor(run('GlobalMaxPool', [fed(x)])[0], 'float64', [1, 2, 1, 1], [3, 7]);
});

test('Conv: plain with bias, strided asymmetric pads, depthwise group', () => {
  const x = arange([1, 1, 3, 3], 1); // [[1,2,3],[4,5,6],[7,8,9]]
  const w = f([1, 1, 2, 2], [1, 0, 0, -1]); // y = x[i,j] − x[i+1,j+1] + b
  expectTensor(run('Conv', [fed(x), w, f([1], [10])])[0], 'float64', [1, 1, 2, 2], [6, 6, 6, 6]);
  // pads [top 1, left 0, bottom 0, right 1], stride 2: padded rows −1..2, cols 0..3 → out 2×2.
  const [y] = run('Conv', [fed(x), w], { strides: attr.ints([2, 2]), pads: attr.ints([1, 0, 0, 1]) });
  // (0,0): x[−1,0] − x[0,1] = −2; (0,1): x[−1,2] − x[0,3] = 0; (1,0): x[1,0] − x[2,1] = 4 − 8; (1,1): x[1,2] − 0 = 6.
  expectTensor(y, 'float64', [1, 1, 2, 2], [-2, 0, -4, 6]);
  // Depthwise: 2 channels, group 2, each its own 2×2 kernel.
  const x2 = f([1, 2, 2, 2], [1, 2, 3, 4, 10, 20, 30, 40]);
  const w2 = f([2, 1, 2, 2], [1, 1, 1, 1, 1, 0, 0, 2]);
  expectTensor(run('Conv', [fed(x2), w2], { group: attr.int(2) })[0], 'float64', [1, 2, 1, 1], [10, 90]);
  // Dilation 2 on a 1-D conv: y[o] = x[o] + 10·x[o+2].
  const x1 = arange([1, 1, 5]);
  expectTensor(run('Conv', [fed(x1), f([1, 1, 2], [1, 10])], { dilations: attr.ints([2]) })[0], 'float64', [1, 1, 3], [20, 31, 42]);
  // auto_pad SAME_UPPER, kernel 2, stride 1: the extra pad goes at the end.
  const [same] = run('Conv', [fed(x1), f([1, 1, 2], [1, 10])], { auto_pad: attr.string('SAME_UPPER') });
  expectTensor(same, 'float64', [1, 1, 5], [10, 21, 32, 43, 4]);
});

test('ConvTranspose: y[i·s − p + k·d] += x[i]·w[k], output_padding, groups', () => {
  // 1-D, s 2, pads 1/1, kernel 3: out = 2·1 + 3 − 2 = 3.
  const [y1] = run('ConvTranspose', [fed(f([1, 1, 2], [1, 2])), f([1, 1, 3], [1, 10, 100])], { strides: attr.ints([2]), pads: attr.ints([1, 1]) });
  expectTensor(y1, 'float64', [1, 1, 3], [10, 102, 20]);
  // 2-D, s 2, kernel 2, output_padding 1: out = 2·1 + 1 + 2 = 5; y[2i+a, 2j+b] = x[i,j]·w[a,b], plus bias.
  const x = f([1, 1, 2, 2], [1, 2, 3, 4]);
  const w = f([1, 1, 2, 2], [1, 2, 3, 4]);
  const [y2] = run('ConvTranspose', [fed(x), w, f([1], [0.5])], { strides: attr.ints([2, 2]), output_padding: attr.ints([1, 1]) });
  const expected = new Array(25).fill(0.5);
  for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) {
    expected[(2 * i + a) * 5 + 2 * j + b] += x.data[i * 2 + j] * w.data[a * 2 + b];
  }
  expectTensor(y2, 'float64', [1, 1, 5, 5], expected);
  // Groups: 2 input channels, group 2, W [2, 1, 1] → each output channel scales its own input channel.
  const [y3] = run('ConvTranspose', [fed(f([1, 2, 2], [1, 2, 3, 4])), f([2, 1, 1], [10, 100])], { group: attr.int(2) });
  expectTensor(y3, 'float64', [1, 2, 2], [10, 20, 300, 400]);
  // onnxruntime refuses output_padding ≥ stride; so do shape inference and the interpreter.
  assert.throws(
    () => run('ConvTranspose', [fed(f([1, 1, 2], [1, 2])), f([1, 1, 3], [1, 1, 1])], { dilations: attr.ints([2]), output_padding: attr.ints([1]) }),
    /output_padding \[?1\]? must be (less|smaller) than strides? \[?1\]?/,
  );
  // auto_pad SAME_UPPER: out = in·s = 4; full = 2·1 + 3 = 5, total pad 1 at the end → the full result minus its last.
  const node = { op: 'ConvTranspose', name: 'ct', inputs: ['x', 'w'], outputs: ['y'], attrs: { auto_pad: attr.string('SAME_UPPER'), strides: attr.ints([2]) } };
  const [upper] = evaluateNode(node, [f([1, 1, 2], [1, 2]), f([1, 1, 3], [1, 10, 100])], [undefined]);
  expectTensor(upper, 'float64', [1, 1, 4], [1, 10, 102, 20]);
  const lower = { ...node, attrs: { ...node.attrs, auto_pad: attr.string('SAME_LOWER') } };
  expectTensor(evaluateNode(lower, [f([1, 1, 2], [1, 2]), f([1, 1, 3], [1, 10, 100])], [undefined])[0], 'float64', [1, 1, 4], [10, 102, 20, 200]);
});

test('Gemm: transA, transB, alpha, beta, C broadcast; MatMul with 1-D operands and batch broadcast', () => {
  const a = f([3, 2], [1, 2, 3, 4, 5, 6]); // Aᵀ = [[1,3,5],[2,4,6]]
  const b = f([2, 3], [1, 0, 1, 0, 1, 1]); // Bᵀ = [[1,0],[0,1],[1,1]]
  const [y] = run('Gemm', [fed(a), b, f([2], [100, 200])], { transA: attr.int(1), transB: attr.int(1), alpha: attr.float(2), beta: attr.float(0.5) });
  // AᵀBᵀ = [[6,8],[8,10]]
  expectTensor(y, 'float64', [2, 2], [62, 116, 66, 120]);
  expectTensor(run('MatMul', [fed(f([2], [1, 2])), f([2, 3], [1, 2, 3, 4, 5, 6])])[0], 'float64', [3], [9, 12, 15]);
  expectTensor(run('MatMul', [fed(f([2, 3], [1, 2, 3, 4, 5, 6])), f([3], [1, 0, -1])])[0], 'float64', [2], [-2, -2]);
  // [2,1,2,2] · [3,2,1] → [2,3,2,1]: batch axes broadcast.
  const [z] = run('MatMul', [fed(arange([2, 1, 2, 2])), f([3, 2, 1], [1, 1, 1, -1, 0, 1])]);
  assert.deepEqual(z.dims, [2, 3, 2, 1]);
  expectTensor(z, 'float64', [2, 3, 2, 1], [1, 5, -1, -1, 1, 3, 9, 13, -1, -1, 5, 7]);
});

test('BatchNormalization, Softmax, LogSoftmax', () => {
  const x = f([1, 2, 1, 2], [1, 2, 3, 4]);
  const [y] = run('BatchNormalization', [fed(x), f([2], [2, 1]), f([2], [0, 1]), f([2], [1, 3]), f([2], [4, 1])], { epsilon: attr.float(0) });
  expectTensor(y, 'float64', [1, 2, 1, 2], [0, 1, 1, 2]);
  const s = f([2, 3], [1, 2, 3, 0, 0, 0]);
  const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
  const z = e[0] + e[1] + e[2];
  expectTensor(run('Softmax', [fed(s)])[0], 'float64', [2, 3], [...e.map((v) => v / z), 1 / 3, 1 / 3, 1 / 3]);
  expectTensor(run('Softmax', [fed(s)], { axis: attr.int(0) })[0], 'float64', [2, 3], [1, 2, 3, 0, 0, 0].map((v, i) => Math.exp(v) / (Math.exp([1, 2, 3][i % 3]) + 1)));
  expectTensor(run('LogSoftmax', [fed(s)])[0], 'float64', [2, 3], [...[1, 2, 3].map((v) => v - Math.log(z)), -Math.log(3), -Math.log(3), -Math.log(3)]);
});

test('unary activations with their default attributes', () => {
  const x = f([6], [-3, -1, 0, 0.5, 2, 4]);
  const cases: [string, (v: number) => number, Attrs?][] = [
    ['Relu', (v) => Math.max(0, v)],
    ['LeakyRelu', (v) => (v >= 0 ? v : 0.01 * v)],
    ['LeakyRelu', (v) => (v >= 0 ? v : 0.3 * v), { alpha: attr.float(0.3) }],
    ['Sigmoid', (v) => 1 / (1 + Math.exp(-v))],
    ['Tanh', Math.tanh],
    ['HardSigmoid', (v) => Math.max(0, Math.min(1, 0.2 * v + 0.5))],
    ['HardSwish', (v) => v * Math.max(0, Math.min(1, v / 6 + 0.5))],
    ['Abs', Math.abs],
    ['Neg', (v) => -v],
    ['Exp', Math.exp],
    ['Reciprocal', (v) => 1 / v],
    ['Sign', Math.sign],
    ['Identity', (v) => v],
  ];
  for (const [op, fn, attrs] of cases) expectTensor(run(op, [fed(x)], attrs)[0], 'float64', [6], Array.from(x.data, fn), 1e-15);
  expectTensor(run('Sqrt', [fed(f([2], [4, 2]))])[0], 'float64', [2], [2, Math.SQRT2]);
  expectTensor(run('Log', [fed(f([2], [1, 4]))])[0], 'float64', [2], [0, Math.log(4)]);
  expectTensor(run('Not', [fed(makeTensor('bool', [2], [0, 1]))])[0], 'bool', [2], [1, 0]);
  expectTensor(run('Clip', [fed(x), undefined, f([], [1])])[0], 'float64', [6], [-3, -1, 0, 0.5, 1, 1]);
  expectTensor(run('Clip', [fed(x), f([], [-1]), f([], [1])])[0], 'float64', [6], [-1, -1, 0, 0.5, 1, 1]);
  expectTensor(run('Clip', [fed(x)])[0], 'float64', [6], Array.from(x.data));
});

test('Dropout (inference) is the identity with an all-true mask', () => {
  const x = f([2, 2], [1, 2, 3, 4]);
  const [y] = run('Dropout', [fed(x)]);
  expectTensor(y, 'float64', [2, 2], [1, 2, 3, 4]);
  const graph = emptyGraph();
  const b = new GraphBuilder(graph);
  const c = b.constant(x);
  // Shape inference gives Dropout one output, so the mask is checked through evaluateNode.
  const node = { op: 'Dropout', name: 'd', inputs: [c], outputs: ['y', 'mask'], attrs: {} };
  const [, mask] = evaluateNode(node, [x], [{ dtype: 'float32', shape: [2, 2] }, { dtype: 'bool', shape: [2, 2] }]);
  expectTensor(mask, 'bool', [2, 2], [1, 1, 1, 1]);
});

test('CumSum: axis input, exclusive, reverse', () => {
  const x = f([2, 3], [1, 2, 3, 4, 5, 6]);
  expectTensor(run('CumSum', [fed(x), scalarInt(1)])[0], 'float64', [2, 3], [1, 3, 6, 4, 9, 15]);
  expectTensor(run('CumSum', [fed(x), scalarInt(-1)], { exclusive: attr.int(1) })[0], 'float64', [2, 3], [0, 1, 3, 0, 4, 9]);
  expectTensor(run('CumSum', [fed(x), scalarInt(1)], { reverse: attr.int(1) })[0], 'float64', [2, 3], [6, 5, 3, 15, 11, 6]);
  expectTensor(run('CumSum', [fed(x), scalarInt(0)], { reverse: attr.int(1), exclusive: attr.int(1) })[0], 'float64', [2, 3], [4, 5, 6, 0, 0, 0]);
});

test('broadcasting binary ops, variadic Max/Min/Sum, comparisons, Where, integer Div', () => {
  const a = f([2, 1], [1, 2]);
  const b = f([3], [10, 20, 30]);
  expectTensor(run('Add', [fed(a), b])[0], 'float64', [2, 3], [11, 21, 31, 12, 22, 32]);
  expectTensor(run('Sub', [fed(a), b])[0], 'float64', [2, 3], [-9, -19, -29, -8, -18, -28]);
  expectTensor(run('Mul', [fed(a), b])[0], 'float64', [2, 3], [10, 20, 30, 20, 40, 60]);
  expectTensor(run('Div', [fed(b), a])[0], 'float64', [2, 3], [10, 20, 30, 5, 10, 15]);
  expectTensor(run('Pow', [fed(a), f([], [3])])[0], 'float64', [2, 1], [1, 8]);
  expectTensor(run('Max', [fed(a), b, f([1], [15])])[0], 'float64', [2, 3], [15, 20, 30, 15, 20, 30]);
  expectTensor(run('Min', [fed(a)])[0], 'float64', [2, 1], [1, 2]);
  expectTensor(run('Sum', [fed(a), b, f([], [0.5])])[0], 'float64', [2, 3], [11.5, 21.5, 31.5, 12.5, 22.5, 32.5]);
  const p = f([4], [1, 2, 3, NaN]);
  const q = f([4], [2, 2, 2, 2]);
  expectTensor(run('Equal', [fed(p), q])[0], 'bool', [4], [0, 1, 0, 0]);
  expectTensor(run('Greater', [fed(p), q])[0], 'bool', [4], [0, 0, 1, 0]);
  expectTensor(run('GreaterOrEqual', [fed(p), q])[0], 'bool', [4], [0, 1, 1, 0]);
  expectTensor(run('Less', [fed(p), q])[0], 'bool', [4], [1, 0, 0, 0]);
  expectTensor(run('LessOrEqual', [fed(p), q])[0], 'bool', [4], [1, 1, 0, 0]);
  expectTensor(run('Max', [fed(p), q])[0], 'float64', [4], [2, 2, 3, NaN]);
  const t = makeTensor('bool', [4], [1, 1, 0, 0]);
  const u = makeTensor('bool', [4], [1, 0, 1, 0]);
  expectTensor(run('And', [fed(t), u])[0], 'bool', [4], [1, 0, 0, 0]);
  expectTensor(run('Or', [fed(t), u])[0], 'bool', [4], [1, 1, 1, 0]);
  expectTensor(run('Where', [fed(makeTensor('bool', [2, 1], [1, 0])), b, f([], [-1])])[0], 'float64', [2, 3], [10, 20, 30, -1, -1, -1]);
  expectTensor(run('Div', [fed(ints([7, -7, 6])), ints([2])])[0], 'int64', [3], [3, -3, 3]);
});

test('Reshape, Flatten, Squeeze, Unsqueeze, Transpose', () => {
  const x = arange([2, 3, 1]);
  expectTensor(run('Reshape', [fed(x), ints([0, -1])])[0], 'float64', [2, 3], [0, 1, 2, 3, 4, 5]);
  expectTensor(run('Flatten', [fed(x)], { axis: attr.int(0) })[0], 'float64', [1, 6], [0, 1, 2, 3, 4, 5]);
  expectTensor(run('Flatten', [fed(x)], { axis: attr.int(3) })[0], 'float64', [6, 1], [0, 1, 2, 3, 4, 5]);
  expectTensor(run('Squeeze', [fed(x), ints([-1])])[0], 'float64', [2, 3], [0, 1, 2, 3, 4, 5]);
  expectTensor(run('Squeeze', [fed(x)])[0], 'float64', [2, 3], [0, 1, 2, 3, 4, 5]);
  expectTensor(run('Unsqueeze', [fed(x), ints([0, -1])])[0], 'float64', [1, 2, 3, 1, 1], [0, 1, 2, 3, 4, 5]);
  expectTensor(run('Transpose', [fed(x)])[0], 'float64', [1, 3, 2], [0, 3, 1, 4, 2, 5]);
  const y = arange([2, 3, 4]);
  const [z] = run('Transpose', [fed(y)], { perm: attr.ints([1, 2, 0]) });
  assert.deepEqual(z.dims, [3, 4, 2]);
  for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 4; k++) assert.equal(z.data[(j * 4 + k) * 2 + i], y.data[(i * 3 + j) * 4 + k]);
});

test('Concat and Split', () => {
  const a = arange([2, 2]);
  const b = arange([2, 1], 10);
  expectTensor(run('Concat', [fed(a), b], { axis: attr.int(-1) })[0], 'float64', [2, 3], [0, 1, 10, 2, 3, 11]);
  expectTensor(run('Concat', [fed(a), a], { axis: attr.int(0) })[0], 'float64', [4, 2], [0, 1, 2, 3, 0, 1, 2, 3]);
  const x = arange([2, 5]);
  const [p, q] = run('Split', [fed(x), ints([2, 3])], { axis: attr.int(1) }, 2);
  expectTensor(p, 'float64', [2, 2], [0, 1, 5, 6]);
  expectTensor(q, 'float64', [2, 3], [2, 3, 4, 7, 8, 9]);
  const [r, s] = run('Split', [fed(x)], {}, 2);
  expectTensor(r, 'float64', [1, 5], [0, 1, 2, 3, 4]);
  expectTensor(s, 'float64', [1, 5], [5, 6, 7, 8, 9]);
});

test('Pad: constant (with value and negative crop), reflect, edge', () => {
  const x = f([1, 3], [1, 2, 3]);
  expectTensor(run('Pad', [fed(x), ints([0, 2, 0, 1]), f([], [9])])[0], 'float64', [1, 6], [9, 9, 1, 2, 3, 9]);
  expectTensor(run('Pad', [fed(x), ints([0, -1, 0, 1])])[0], 'float64', [1, 3], [2, 3, 0]);
  expectTensor(run('Pad', [fed(x), ints([0, 2, 0, 2])], { mode: attr.string('reflect') })[0], 'float64', [1, 7], [3, 2, 1, 2, 3, 2, 1]);
  expectTensor(run('Pad', [fed(x), ints([1, 2, 0, 1])], { mode: attr.string('edge') })[0], 'float64', [2, 6], [1, 1, 1, 2, 3, 3, 1, 1, 1, 2, 3, 3]);
});

test('Slice with negative steps, clamped bounds and axes', () => {
  const x = arange([10]);
  expectTensor(run('Slice', [fed(x), ints([-1]), ints([-Number.MAX_SAFE_INTEGER]), ints([0]), ints([-2])])[0], 'float64', [5], [9, 7, 5, 3, 1]);
  expectTensor(run('Slice', [fed(x), ints([2]), ints([1000])])[0], 'float64', [8], [2, 3, 4, 5, 6, 7, 8, 9]);
  expectTensor(run('Slice', [fed(x), ints([5]), ints([2])])[0], 'float64', [0], []);
  const y = arange([3, 4]);
  expectTensor(run('Slice', [fed(y), ints([2, 3]), ints([0, 0]), ints([0, 1]), ints([-1, -2])])[0], 'float64', [2, 2], [11, 9, 7, 5]);
  expectTensor(run('Slice', [fed(y), ints([1]), ints([3]), ints([-1])])[0], 'float64', [3, 2], [1, 2, 5, 6, 9, 10]);
});

test('Expand, Tile, Gather with negative indices', () => {
  expectTensor(run('Expand', [fed(f([3, 1], [1, 2, 3])), ints([2, 1, 2])])[0], 'float64', [2, 3, 2], [1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3]);
  expectTensor(run('Expand', [fed(f([1], [7])), ints([1])])[0], 'float64', [1], [7]);
  expectTensor(run('Tile', [fed(f([1, 2], [1, 2])), ints([2, 2])])[0], 'float64', [2, 4], [1, 2, 1, 2, 1, 2, 1, 2]);
  const x = arange([3, 2]);
  expectTensor(run('Gather', [fed(x), ints([-1, 0], [2])])[0], 'float64', [2, 2], [4, 5, 0, 1]);
  expectTensor(run('Gather', [fed(x), scalarInt(1)], { axis: attr.int(1) })[0], 'float64', [3], [1, 3, 5]);
  expectTensor(run('Gather', [fed(x), ints([0, 1, 1, 0], [2, 2])], { axis: attr.int(1) })[0], 'float64', [3, 2, 2], [0, 1, 1, 0, 2, 3, 3, 2, 4, 5, 5, 4]);
});

test('ScatterElements: add and mul with duplicate indices, none (last duplicate wins), negative indices, axis 0', () => {
  const data = f([1, 5], [0, 0, 0, 0, 1]);
  const idx = ints([1, 1, 3, -1], [1, 4]);
  const upd = f([1, 4], [1, 2, 3, 4]);
  expectTensor(run('ScatterElements', [fed(data), idx, upd], { axis: attr.int(1), reduction: attr.string('add') })[0], 'float64', [1, 5], [0, 3, 0, 3, 5]);
  expectTensor(run('ScatterElements', [fed(data), idx, upd], { axis: attr.int(1) })[0], 'float64', [1, 5], [0, 2, 0, 3, 4]);
  const ones = f([1, 5], [1, 1, 1, 1, 1]);
  expectTensor(run('ScatterElements', [fed(ones), idx, upd], { axis: attr.int(1), reduction: attr.string('mul') })[0], 'float64', [1, 5], [1, 2, 1, 3, 4]);
  // axis 0: y[idx[i][j]][j] = upd[i][j].
  const [y] = run('ScatterElements', [fed(f([3, 2], new Array(6).fill(0))), ints([2, 0, 1, 2], [2, 2]), f([2, 2], [1, 2, 3, 4])]);
  expectTensor(y, 'float64', [3, 2], [0, 2, 3, 0, 1, 4]);
});

test('Resize: nearest modes and bilinear coordinate transforms, scales and sizes', () => {
  const x = f([1, 1, 2, 2], [1, 2, 3, 4]);
  const scales = f([4], [1, 1, 2, 2]);
  const linear = (mode: string) => run('Resize', [fed(x), undefined, scales], { mode: attr.string('linear'), coordinate_transformation_mode: attr.string(mode) })[0];
  // half_pixel: source coordinates −0.25, 0.25, 0.75, 1.25 → clamped 0, .25, .75, 1.
  const row = [1, 1.25, 1.75, 2];
  expectTensor(linear('half_pixel'), 'float64', [1, 1, 4, 4], [0, 1, 2, 3].flatMap((i) => row.map((v) => v + 2 * (row[i] - 1))));
  // align_corners: coordinates 0, 1/3, 2/3, 1.
  const rowA = [1, 4 / 3, 5 / 3, 2];
  expectTensor(linear('align_corners'), 'float64', [1, 1, 4, 4], [0, 1, 2, 3].flatMap((i) => rowA.map((v) => v + 2 * (rowA[i] - 1))));
  // asymmetric: 0, 0.5, 1, 1.5 → clamped 1.
  const rowB = [1, 1.5, 2, 2];
  expectTensor(linear('asymmetric'), 'float64', [1, 1, 4, 4], [0, 1, 2, 3].flatMap((i) => rowB.map((v) => v + 2 * (rowB[i] - 1))));
  const nearest = (attrs: Attrs, s = scales) => run('Resize', [fed(x), undefined, s], { mode: attr.string('nearest'), ...attrs })[0];
  // Default half_pixel + round_prefer_floor: −0.25 → 0, 0.25 → 0, 0.75 → 1, 1.25 → 1.
  expectTensor(nearest({}), 'float64', [1, 1, 4, 4], [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  // asymmetric + floor: 0, 0.5, 1, 1.5 → 0, 0, 1, 1; asymmetric + round_prefer_ceil: 0, 1, 1, 2→1.
  const asym = { coordinate_transformation_mode: attr.string('asymmetric') };
  expectTensor(nearest({ ...asym, nearest_mode: attr.string('floor') }), 'float64', [1, 1, 4, 4], [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  expectTensor(nearest({ ...asym, nearest_mode: attr.string('round_prefer_ceil') }), 'float64', [1, 1, 4, 4], [1, 2, 2, 2, 3, 4, 4, 4, 3, 4, 4, 4, 3, 4, 4, 4]);
  expectTensor(nearest({ ...asym, nearest_mode: attr.string('round_prefer_floor') }), 'float64', [1, 1, 4, 4], [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  // Downscale by sizes 4 → 2 (scale ½), half_pixel: coordinates 0.5, 2.5 → prefer floor 0, 2; ceil 1, 3.
  const y = arange([1, 1, 1, 4]);
  const sizes = ints([1, 1, 1, 2]);
  expectTensor(run('Resize', [fed(y), undefined, undefined, sizes], { mode: attr.string('nearest') })[0], 'float64', [1, 1, 1, 2], [0, 2]);
  expectTensor(run('Resize', [fed(y), undefined, undefined, sizes], { mode: attr.string('nearest'), nearest_mode: attr.string('ceil') })[0], 'float64', [1, 1, 1, 2], [1, 3]);
  expectTensor(run('Resize', [fed(y), undefined, undefined, sizes], { mode: attr.string('linear') })[0], 'float64', [1, 1, 1, 2], [0.5, 2.5]);
});

test('Shape, Constant, ConstantOfShape, Range, Cast', () => {
  const x = arange([2, 3, 4]);
  expectTensor(run('Shape', [fed(x)])[0], 'int64', [3], [2, 3, 4]);
  expectTensor(run('Shape', [fed(x)], { start: attr.int(-2), end: attr.int(10) })[0], 'int64', [2], [3, 4]);
  expectTensor(run('Constant', [], { value: attr.tensor(f([2], [1.5, 2.5])) })[0], 'float64', [2], [1.5, 2.5]);
  expectTensor(run('Constant', [], { value_ints: attr.ints([3, 4]) })[0], 'int64', [2], [3, 4]);
  expectTensor(run('Constant', [], { value_float: attr.float(0.25) })[0], 'float64', [], [0.25]);
  expectTensor(run('ConstantOfShape', [ints([2, 2])], { value: attr.tensor(makeTensor('int64', [1], [7])) })[0], 'int64', [2, 2], [7, 7, 7, 7]);
  expectTensor(run('ConstantOfShape', [ints([3])])[0], 'float64', [3], [0, 0, 0]);
  expectTensor(run('Range', [scalarInt(10), scalarInt(1), scalarInt(-3)])[0], 'int64', [3], [10, 7, 4]);
  expectTensor(run('Range', [f([], [0]), f([], [1]), f([], [0.25])])[0], 'float64', [4], [0, 0.25, 0.5, 0.75]);
  const v = f([5], [-2.7, -0.5, 0, 0.5, 3.9]);
  expectTensor(run('Cast', [fed(v)], { to: attr.int(7) })[0], 'int64', [5], [-2, -0, 0, 0, 3]);
  expectTensor(run('Cast', [fed(v)], { to: attr.int(9) })[0], 'bool', [5], [1, 1, 0, 1, 1]);
  expectTensor(run('Cast', [fed(ints([1, 2]))], { to: attr.int(1) })[0], 'float64', [2], [1, 2]);
});

test('Reduce*: axes input / attribute, keepdims, noop_with_empty_axes; ArgMax ties', () => {
  const x = f([2, 3], [1, -2, 3, 4, 5, -6]);
  expectTensor(run('ReduceSum', [fed(x), ints([1])])[0], 'float64', [2, 1], [2, 3]);
  expectTensor(run('ReduceSum', [fed(x), ints([0])], { keepdims: attr.int(0) })[0], 'float64', [3], [5, 3, -3]);
  expectTensor(run('ReduceSum', [fed(x)])[0], 'float64', [1, 1], [5]);
  expectTensor(run('ReduceSum', [fed(x)], { noop_with_empty_axes: attr.int(1) })[0], 'float64', [2, 3], Array.from(x.data));
  expectTensor(run('ReduceMean', [fed(x)], { axes: attr.ints([-1]) })[0], 'float64', [2, 1], [2 / 3, 1]);
  expectTensor(run('ReduceMax', [fed(x)], { axes: attr.ints([1]), keepdims: attr.int(0) })[0], 'float64', [2], [3, 5]);
  expectTensor(run('ReduceMin', [fed(x)], { keepdims: attr.int(0) })[0], 'float64', [], [-6]);
  expectTensor(run('ReduceL2', [fed(x)], { axes: attr.ints([0]) })[0], 'float64', [1, 3], [Math.sqrt(17), Math.sqrt(29), Math.sqrt(45)]);
  const t = f([2, 4], [1, 3, 3, 0, 2, 2, 2, 2]);
  expectTensor(run('ArgMax', [fed(t)], { axis: attr.int(1) })[0], 'int64', [2, 1], [1, 0]);
  expectTensor(run('ArgMax', [fed(t)], { axis: attr.int(1), keepdims: attr.int(0), select_last_index: attr.int(1) })[0], 'int64', [2], [2, 3]);
  expectTensor(run('ArgMax', [fed(t)], { axis: attr.int(0), keepdims: attr.int(0) })[0], 'int64', [4], [1, 0, 0, 1]);
});

test('runGraph: checks feeds, returns float32 in float32 precision, evaluates requested intermediates only', () => {
  const graph = emptyGraph('g');
  const b = new GraphBuilder(graph);
  graph.inputs.push('x');
  graph.values.set('x', { dtype: 'float32', shape: [1, 3] });
  const third = b.op('Mul', ['x', b.scalar(1 / 3)]);
  const big = b.op('Add', [third, b.scalar(1e8)]);
  graph.outputs = [big];
  const x = f([1, 3], [1, 2, 3]);
  const r64 = runGraph(graph, { x });
  assert.equal(r64[big].dtype, 'float64');
  assert.ok(r64[big].data instanceof Float64Array);
  // The scalar initializer is float32: 1/3 is stored as fround(1/3).
  const third32 = Math.fround(1 / 3);
  assert.equal(r64[big].data[0], 1e8 + third32);
  const r32 = runGraph(graph, { x }, { precision: 'float32' });
  assert.equal(r32[big].dtype, 'float32');
  assert.ok(r32[big].data instanceof Float32Array);
  assert.equal(r32[big].data[0], Math.fround(1e8 + third32));
  const mid = runGraph(graph, { x }, { outputs: [third] });
  assert.deepEqual(Object.keys(mid), [third]);
  expectTensor(mid[third], 'float64', [1, 3], [third32, 2 * third32, 3 * third32], 0);
  const throwsFeed = (feeds: Record<string, Tensor>, pattern: RegExp) =>
    assert.throws(() => runGraph(graph, feeds), (e: unknown) => e instanceof HeatlensError && pattern.test(e.message));
  throwsFeed({ x: f([3], [1, 2, 3]) }, /feed 'x' has shape \[3\], graph 'g' expects \[1×3\]/);
  throwsFeed({}, /needs feeds for 'x'/);
  throwsFeed({ x, y: x }, /feed 'y' is neither an input nor an initializer/);
  throwsFeed({ x: makeTensor('int64', [1, 3], [1, 2, 3]) }, /feed 'x' is int64, graph 'g' expects float32/);
});

test('evaluateNode returns float results in the dtype of the output infos', () => {
  const node = { op: 'Add', name: 'add', inputs: ['a', 'b'], outputs: ['c'], attrs: {} };
  const a = f([2], [1, 2]);
  const b = f([2], [0.1, 0.2]);
  const [c32] = evaluateNode(node, [a, b], [{ dtype: 'float32', shape: [2] }]);
  assert.equal(c32.dtype, 'float32');
  assert.ok(c32.data instanceof Float32Array);
  assert.deepEqual(Array.from(c32.data), [Math.fround(1 + Math.fround(0.1)), Math.fround(2 + Math.fround(0.2))]);
  const [c64] = evaluateNode(node, [a, b], [{ dtype: 'float64', shape: [2] }]);
  assert.equal(c64.dtype, 'float64');
  assert.throws(() => evaluateNode(node, [a, b], [{ dtype: 'float32', shape: [3] }]), /shape inference says \[3\]/);
});

test('a 32×32 CNN forward through runGraph is fast enough to use in tests', () => {
  const rnd = new Random(7);
  const graph = emptyGraph('cnn');
  const b = new GraphBuilder(graph);
  graph.inputs.push('x');
  graph.values.set('x', { dtype: 'float32', shape: [1, 3, 32, 32] });
  let h = 'x';
  let c = 3;
  for (const k of [16, 32, 64]) {
    const w = b.constant(floatTensor([k, c, 3, 3], rnd.normals(k * c * 9, 0.2)));
    h = b.op('Relu', [b.op('Conv', [h, w, b.constant(floatTensor([k], rnd.normals(k, 0.1)))], { pads: attr.ints([1, 1, 1, 1]) })]);
    h = b.op('MaxPool', [h], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) });
    c = k;
  }
  h = b.op('Flatten', [b.op('GlobalAveragePool', [h])]);
  graph.outputs = [b.op('Gemm', [h, b.constant(floatTensor([10, 64], rnd.normals(640, 0.1)))], { transB: attr.int(1) })];
  const start = performance.now();
  const out = runGraph(graph, { x: floatTensor([1, 3, 32, 32], rnd.normals(3 * 32 * 32)) });
  const ms = performance.now() - start;
  assert.deepEqual(out[graph.outputs[0]].dims, [1, 10]);
  // Not a benchmark: a generous bound that only catches an accidentally quadratic kernel.
  assert.ok(ms < 5000, `forward took ${ms.toFixed(0)} ms`);
});
