/**
 * Reference interpreter against onnxruntime-node: each case is a one-node IR graph (data inputs fed,
 * parameters as initializers), encoded with src/onnx/write.ts and run by onnxruntime (graph
 * optimisations off, so its plain CPU kernels run), then compared with runGraph(precision 'float32').
 *
 * Tolerance: float outputs agree to max |ort − ours| ≤ 1e−5 · max(|ort|) (+1e−30 for all-zero outputs);
 * int64 and bool outputs agree exactly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { type Attrs, attr, emptyGraph } from '../src/ir/graph.js';
import { type Tensor, floatTensor, int64Tensor, makeTensor, numel } from '../src/ir/tensor.js';
import { evaluateNode, runGraph } from '../src/interp/run.js';
import { encodeModel } from '../src/onnx/write.js';
import { type NodeInput, oneNodeGraph } from './util/graphs.js';
import { Random } from './util/random.js';

const TOLERANCE = 1e-5;

type In = NodeInput;

interface Case {
  label: string;
  op: string;
  ins: In[];
  attrs?: Attrs;
  outputs?: number;
}

const build = (c: Case) => oneNodeGraph(c.op, c.ins, c.attrs, c.outputs);

function toOrt(t: Tensor): ort.Tensor {
  switch (t.dtype) {
    case 'float32':
      return new ort.Tensor('float32', Float32Array.from(t.data), [...t.dims]);
    case 'int64':
      return new ort.Tensor('int64', BigInt64Array.from(Array.from(t.data, (v) => BigInt(v))), [...t.dims]);
    case 'bool':
      return new ort.Tensor('bool', Uint8Array.from(t.data), [...t.dims]);
    default:
      throw new Error(`no ORT feed for ${t.dtype}`);
  }
}

/** Runs one case both ways; returns a description of the disagreement, or undefined. */
async function compare(c: Case): Promise<string | undefined> {
  const { graph, feeds } = build(c);
  const session = await ort.InferenceSession.create(encodeModel(graph), { graphOptimizationLevel: 'disabled' });
  try {
    const ortFeeds = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, toOrt(t)]));
    const expected = await session.run(ortFeeds);
    const ours = runGraph(graph, feeds, { precision: 'float32' });
    for (const name of graph.outputs) {
      const e = expected[name];
      const o = ours[name];
      if (e.dims.join() !== o.dims.join()) return `${name}: ORT shape [${e.dims}], ours [${o.dims}]`;
      const ref = Array.from(e.data as ArrayLike<number | bigint>, Number);
      if (e.type === 'float32') {
        if (o.dtype !== 'float32') return `${name}: ours is ${o.dtype}, ORT float32`;
        let maxRef = 0;
        let maxDiff = 0;
        let worst = -1;
        ref.forEach((r, i) => {
          const v = o.data[i];
          if (Number.isNaN(r) || Number.isNaN(v)) {
            if (Number.isNaN(r) !== Number.isNaN(v)) {
              maxDiff = Infinity;
              worst = i;
            }
            return;
          }
          maxRef = Math.max(maxRef, Math.abs(r));
          const diff = r === v ? 0 : Math.abs(r - v);
          if (diff > maxDiff) {
            maxDiff = diff;
            worst = i;
          }
        });
        if (maxDiff > TOLERANCE * maxRef + 1e-30) {
          return `${name}: max |diff| ${maxDiff} > ${TOLERANCE}·${maxRef} at ${worst} (ORT ${ref[worst]}, ours ${o.data[worst]})`;
        }
      } else {
        const bad = ref.findIndex((r, i) => r !== o.data[i]);
        if (bad >= 0) return `${name}: element ${bad}: ORT ${ref[bad]}, ours ${o.data[bad]} (${e.type})`;
      }
    }
    return undefined;
  } finally {
    await session.release();
  }
}

/** Runs every case and fails once, listing all disagreements. */
async function check(cases: Case[]): Promise<void> {
  const failures: string[] = [];
  for (const c of cases) {
    let problem: string | undefined;
    try {
      problem = await compare(c);
    } catch (e) {
      problem = `threw: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
    }
    if (problem) failures.push(`${c.op} ${c.label}: ${problem}`);
  }
  assert.equal(failures.length, 0, `${failures.length}/${cases.length} cases disagree with onnxruntime:\n${failures.join('\n')}`);
}

const rnd = new Random(20240617);
const randn = (dims: number[], scale = 1): Tensor => floatTensor(dims, rnd.normals(numel(dims), scale));
const fed = (t: Tensor): In => ({ feed: t });
const ints = (values: number[], dims?: number[]) => int64Tensor(values, dims);
const describe = (attrs: Attrs): string =>
  Object.entries(attrs)
    .map(([k, a]) => `${k}=${Array.isArray(a.value) ? `[${a.value}]` : a.type === 'tensor' ? 'tensor' : a.value}`)
    .join(' ');
/** Integer-valued random data so ties (MaxPool, ArgMax) really happen. */
const randInts = (dims: number[], lo: number, hi: number): Tensor => floatTensor(dims, Array.from({ length: numel(dims) }, () => rnd.int(lo, hi)));

test('Conv: strides 1/2/3, asymmetric pads, dilation 2, groups incl. depthwise, auto_pad, 1-D and 3-D', async () => {
  const cases: Case[] = [];
  for (const stride of [1, 2, 3]) {
    for (const pads of [[0, 0, 0, 0], [1, 1, 1, 1], [0, 1, 2, 1], [2, 0, 0, 1]]) {
      for (const dilation of [1, 2]) {
        for (const group of [1, 2, 4]) {
          const attrs: Attrs = { strides: attr.ints([stride, stride]), pads: attr.ints(pads), dilations: attr.ints([dilation, dilation]), group: attr.int(group) };
          const withBias = (stride + dilation + group) % 2 === 0;
          cases.push({
            label: describe(attrs) + (withBias ? ' bias' : ''),
            op: 'Conv',
            ins: [fed(randn([2, 4, 9, 8])), randn([4, 4 / group, 3, 2], 0.5), withBias ? randn([4]) : undefined],
            attrs,
          });
        }
      }
    }
  }
  for (const autoPad of ['SAME_UPPER', 'SAME_LOWER', 'VALID']) {
    for (const stride of [1, 2, 3]) {
      const attrs: Attrs = { auto_pad: attr.string(autoPad), strides: attr.ints([stride, stride]) };
      cases.push({ label: describe(attrs), op: 'Conv', ins: [fed(randn([1, 3, 7, 8])), randn([5, 3, 4, 3])], attrs });
    }
  }
  // Depthwise with channel multiplier 2, kernel 5.
  cases.push({ label: 'depthwise ×2', op: 'Conv', ins: [fed(randn([1, 3, 10, 10])), randn([6, 1, 5, 5]), randn([6])], attrs: { group: attr.int(3), pads: attr.ints([2, 2, 2, 2]) } });
  cases.push({ label: '1-D', op: 'Conv', ins: [fed(randn([2, 3, 11])), randn([4, 3, 3]), randn([4])], attrs: { strides: attr.ints([2]), pads: attr.ints([1, 0]), dilations: attr.ints([2]) } });
  cases.push({ label: '3-D', op: 'Conv', ins: [fed(randn([1, 2, 5, 6, 4])), randn([3, 2, 3, 2, 2])], attrs: { strides: attr.ints([1, 2, 1]), pads: attr.ints([1, 0, 1, 1, 1, 0]) } });
  await check(cases);
});

test('ConvTranspose: strides 1/2/3, asymmetric pads, output_padding, dilation 2, groups, 1-D', async () => {
  const cases: Case[] = [];
  for (const stride of [1, 2, 3]) {
    for (const pads of [[0, 0, 0, 0], [1, 1, 1, 1], [0, 2, 1, 0]]) {
      for (const dilation of [1, 2]) {
        for (const group of [1, 2]) {
          // onnxruntime refuses output_padding ≥ stride.
          for (const outPad of stride > 1 ? [0, stride - 1] : [0]) {
            const attrs: Attrs = {
              strides: attr.ints([stride, stride]), pads: attr.ints(pads), dilations: attr.ints([dilation, dilation]),
              group: attr.int(group), output_padding: attr.ints([outPad, 0]),
            };
            cases.push({ label: describe(attrs), op: 'ConvTranspose', ins: [fed(randn([2, 4, 5, 4])), randn([4, 6 / group, 3, 3], 0.5), randn([6])], attrs });
          }
        }
      }
    }
  }
  // The backward of a stride-2 conv on an odd size: output_padding recovers X.
  cases.push({ label: 'kernel 4, stride 2, pads 1, output_padding 1', op: 'ConvTranspose', ins: [fed(randn([1, 3, 4, 4])), randn([3, 2, 4, 4])], attrs: { strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]), output_padding: attr.ints([1, 1]) } });
  cases.push({ label: '1-D', op: 'ConvTranspose', ins: [fed(randn([1, 2, 6])), randn([2, 3, 3])], attrs: { strides: attr.ints([3]), pads: attr.ints([1, 2]), output_padding: attr.ints([2]) } });
  cases.push({ label: 'depthwise', op: 'ConvTranspose', ins: [fed(randn([1, 4, 5, 5])), randn([4, 1, 3, 3])], attrs: { group: attr.int(4), strides: attr.ints([2, 2]) } });
  await check(cases);
});

test('ConvTranspose auto_pad SAME_UPPER/SAME_LOWER/VALID (shape inference ignores auto_pad, so the graph is built by hand)', async () => {
  const cases: [string, number, number, number, number, number][] = [
    // auto_pad, in, kernel, stride, dilation, output_padding
    ['SAME_UPPER', 4, 3, 2, 1, 0], ['SAME_LOWER', 4, 3, 2, 1, 0], ['SAME_UPPER', 3, 3, 2, 2, 1], ['SAME_LOWER', 3, 3, 2, 2, 0],
    ['SAME_UPPER', 5, 2, 1, 1, 0], ['SAME_LOWER', 5, 2, 1, 1, 0], ['SAME_UPPER', 2, 2, 3, 1, 0], ['VALID', 4, 3, 2, 1, 1],
  ];
  const failures: string[] = [];
  for (const [autoPad, size, k, stride, dilation, outPad] of cases) {
    const x = randn([1, 2, size, size + 1]);
    const w = randn([2, 3, k, k]);
    const node = {
      op: 'ConvTranspose', name: 'ct', inputs: ['x', 'w'], outputs: ['y'],
      attrs: { auto_pad: attr.string(autoPad), strides: attr.ints([stride, stride]), dilations: attr.ints([dilation, dilation]), output_padding: attr.ints([outPad, outPad]) },
    };
    const [ours] = evaluateNode(node, [x, w], [undefined]);
    const graph = emptyGraph('ct');
    graph.inputs = ['x'];
    graph.values.set('x', { dtype: 'float32', shape: x.dims });
    graph.initializers.set('w', w);
    graph.values.set('w', { dtype: 'float32', shape: w.dims });
    graph.nodes.push(node);
    graph.values.set('y', { dtype: 'float32', shape: ours.dims });
    graph.outputs = ['y'];
    const session = await ort.InferenceSession.create(encodeModel(graph), { graphOptimizationLevel: 'disabled' });
    const { y } = await session.run({ x: toOrt(x) });
    await session.release();
    const label = `${autoPad} in=${size} k=${k} s=${stride} d=${dilation} output_padding=${outPad}`;
    if (y.dims.join() !== ours.dims.join()) {
      failures.push(`${label}: ORT shape [${y.dims}], ours [${ours.dims}]`);
      continue;
    }
    const ref = y.data as Float32Array;
    const maxRef = Math.max(...Array.from(ref, Math.abs));
    const maxDiff = Math.max(...Array.from(ref, (r, i) => Math.abs(r - ours.data[i])));
    if (maxDiff > TOLERANCE * maxRef) failures.push(`${label}: max |diff| ${maxDiff} > ${TOLERANCE}·${maxRef}`);
  }
  assert.deepEqual(failures, []);
});

test('MaxPool: kernels 2/3, strides 1/2/3, pads, dilation 2, ceil_mode, Indices with ties, 1-D', async () => {
  const cases: Case[] = [];
  for (const k of [2, 3]) {
    for (const stride of [1, 2, 3]) {
      for (const pad of [0, 1]) {
        for (const dilation of [1, 2]) {
          for (const ceil of [0, 1]) {
            for (const outputs of [1, 2]) {
              if (pad >= k) continue;
              const attrs: Attrs = {
                kernel_shape: attr.ints([k, k]), strides: attr.ints([stride, stride]), pads: attr.ints([pad, pad, pad, pad]),
                dilations: attr.ints([dilation, dilation]), ceil_mode: attr.int(ceil),
              };
              // Small integers: many ties inside each window.
              cases.push({ label: `${describe(attrs)} outputs=${outputs}`, op: 'MaxPool', ins: [fed(randInts([2, 3, 9, 8], -3, 3))], attrs, outputs });
            }
          }
        }
      }
    }
  }
  cases.push({ label: 'asymmetric pads', op: 'MaxPool', ins: [fed(randn([1, 2, 7, 6]))], attrs: { kernel_shape: attr.ints([3, 2]), pads: attr.ints([0, 1, 2, 0]), strides: attr.ints([2, 1]) }, outputs: 2 });
  cases.push({ label: 'auto_pad SAME_UPPER', op: 'MaxPool', ins: [fed(randn([1, 2, 7, 6]))], attrs: { kernel_shape: attr.ints([3, 3]), auto_pad: attr.string('SAME_UPPER'), strides: attr.ints([2, 2]) }, outputs: 2 });
  cases.push({ label: 'auto_pad SAME_LOWER', op: 'MaxPool', ins: [fed(randn([1, 2, 7, 6]))], attrs: { kernel_shape: attr.ints([2, 2]), auto_pad: attr.string('SAME_LOWER'), strides: attr.ints([1, 1]) } });
  cases.push({ label: '1-D', op: 'MaxPool', ins: [fed(randInts([2, 2, 10], 0, 4))], attrs: { kernel_shape: attr.ints([3]), strides: attr.ints([2]), pads: attr.ints([1, 1]) }, outputs: 2 });
  cases.push({ label: 'all-negative with pads', op: 'MaxPool', ins: [fed(floatTensor([1, 1, 4, 4], Array.from({ length: 16 }, (_, i) => -1 - i)))], attrs: { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]) }, outputs: 2 });
  await check(cases);
});

test('AveragePool: count_include_pad 0/1, ceil_mode, asymmetric pads, overlapping windows; global pools', async () => {
  const cases: Case[] = [];
  for (const k of [2, 3]) {
    for (const stride of [1, 2, 3]) {
      for (const pads of [[0, 0, 0, 0], [1, 1, 1, 1], [1, 0, 0, 1]]) {
        for (const ceil of [0, 1]) {
          for (const include of [0, 1]) {
            const attrs: Attrs = {
              kernel_shape: attr.ints([k, k]), strides: attr.ints([stride, stride]), pads: attr.ints(pads),
              ceil_mode: attr.int(ceil), count_include_pad: attr.int(include),
            };
            cases.push({ label: describe(attrs), op: 'AveragePool', ins: [fed(randn([2, 3, 8, 7]))], attrs });
          }
        }
      }
    }
  }
  cases.push({ label: '1-D', op: 'AveragePool', ins: [fed(randn([1, 2, 10]))], attrs: { kernel_shape: attr.ints([4]), strides: attr.ints([3]), pads: attr.ints([2, 1]), count_include_pad: attr.int(1), ceil_mode: attr.int(1) } });
  cases.push({ label: 'auto_pad SAME_UPPER', op: 'AveragePool', ins: [fed(randn([1, 2, 7, 6]))], attrs: { kernel_shape: attr.ints([3, 3]), auto_pad: attr.string('SAME_UPPER'), strides: attr.ints([2, 2]) } });
  cases.push({ label: '', op: 'GlobalAveragePool', ins: [fed(randn([2, 3, 5, 4]))] });
  cases.push({ label: '', op: 'GlobalMaxPool', ins: [fed(randn([2, 3, 5, 4]))] });
  cases.push({ label: '1-D', op: 'GlobalAveragePool', ins: [fed(randn([2, 3, 7]))] });
  await check(cases);
});

test('Gemm, MatMul, BatchNormalization, Softmax, LogSoftmax', async () => {
  const cases: Case[] = [];
  for (const transA of [0, 1]) {
    for (const transB of [0, 1]) {
      for (const cShape of [undefined, [5], [1, 5], [3, 1], [3, 5], []]) {
        const attrs: Attrs = { transA: attr.int(transA), transB: attr.int(transB), alpha: attr.float(transA ? 0.5 : 1), beta: attr.float(transB ? 2 : 1) };
        cases.push({
          label: `${describe(attrs)} C=${cShape ? `[${cShape}]` : 'none'}`,
          op: 'Gemm',
          ins: [fed(randn(transA ? [4, 3] : [3, 4])), randn(transB ? [5, 4] : [4, 5]), cShape ? randn(cShape) : undefined],
          attrs,
        });
      }
    }
  }
  for (const [a, b] of [[[4], [4, 3]], [[2, 4], [4]], [[4], [4]], [[2, 3, 4], [4, 5]], [[2, 1, 3, 4], [5, 4, 2]], [[3, 4], [2, 4, 6]]]) {
    cases.push({ label: `[${a}]·[${b}]`, op: 'MatMul', ins: [fed(randn(a)), fed(randn(b))] });
  }
  cases.push({ label: '', op: 'BatchNormalization', ins: [fed(randn([2, 3, 4, 5])), randn([3]), randn([3]), randn([3]), floatTensor([3], rnd.uniforms(3, 0.1, 2))], attrs: { epsilon: attr.float(1e-3) } });
  cases.push({ label: '2-D', op: 'BatchNormalization', ins: [fed(randn([4, 3])), randn([3]), randn([3]), randn([3]), floatTensor([3], rnd.uniforms(3, 0.1, 2))] });
  for (const op of ['Softmax', 'LogSoftmax']) {
    for (const axis of [undefined, 0, 1, -2, 2]) {
      cases.push({ label: `axis=${axis}`, op, ins: [fed(randn([2, 3, 4], 3))], attrs: axis === undefined ? {} : { axis: attr.int(axis) } });
    }
  }
  await check(cases);
});

test('element-wise: unary activations, Clip, Dropout, CumSum, broadcasting binary, variadic, comparisons, Where', async () => {
  const cases: Case[] = [];
  const x = () => randn([2, 3, 4], 3);
  for (const op of ['Relu', 'Sigmoid', 'Tanh', 'HardSigmoid', 'HardSwish', 'Abs', 'Neg', 'Exp', 'Sign', 'Identity', 'LeakyRelu', 'Dropout']) {
    cases.push({ label: '', op, ins: [fed(x())] });
  }
  cases.push({ label: 'alpha 0.2', op: 'LeakyRelu', ins: [fed(x())], attrs: { alpha: attr.float(0.2) } });
  cases.push({ label: 'alpha 0.3 beta 0.4', op: 'HardSigmoid', ins: [fed(x())], attrs: { alpha: attr.float(0.3), beta: attr.float(0.4) } });
  for (const op of ['Sqrt', 'Log', 'Reciprocal']) cases.push({ label: '', op, ins: [fed(floatTensor([2, 3, 4], rnd.uniforms(24, 0.05, 5)))] });
  cases.push({ label: '', op: 'Not', ins: [fed(makeTensor('bool', [5], [0, 1, 1, 0, 1]))] });
  cases.push({ label: 'min max', op: 'Clip', ins: [fed(x()), floatTensor([], [-1]), floatTensor([], [2])] });
  cases.push({ label: 'max only', op: 'Clip', ins: [fed(x()), undefined, floatTensor([], [0.5])] });
  cases.push({ label: 'min only', op: 'Clip', ins: [fed(x()), floatTensor([], [-0.5])] });
  cases.push({ label: 'none', op: 'Clip', ins: [fed(x())] });
  for (const [axis, exclusive, reverse] of [[0, 0, 0], [1, 1, 0], [-1, 0, 1], [2, 1, 1]]) {
    cases.push({ label: `axis=${axis} exclusive=${exclusive} reverse=${reverse}`, op: 'CumSum', ins: [fed(x()), int64Tensor([axis], [])], attrs: { exclusive: attr.int(exclusive), reverse: attr.int(reverse) } });
  }
  const shapes: [number[], number[]][] = [[[2, 3, 4], [2, 3, 4]], [[2, 3, 4], [4]], [[2, 1, 4], [3, 1]], [[], [2, 3]], [[3, 1], [1, 2, 1, 5]]];
  for (const op of ['Add', 'Sub', 'Mul', 'Div', 'Max', 'Min', 'Sum', 'Equal', 'Greater', 'GreaterOrEqual', 'Less', 'LessOrEqual']) {
    for (const [a, b] of shapes) {
      // Small integers so comparisons see equal values; Div by values away from 0.
      const left = op === 'Div' ? randn(a) : randInts(a, -2, 3);
      const right = op === 'Div' ? floatTensor(b, rnd.uniforms(numel(b), 0.5, 2)) : randInts(b, -2, 3);
      cases.push({ label: `[${a}] [${b}]`, op, ins: [fed(left), fed(right)] });
    }
  }
  cases.push({ label: 'positive base', op: 'Pow', ins: [fed(floatTensor([2, 3], rnd.uniforms(6, 0.1, 3))), fed(randn([3]))] });
  cases.push({ label: 'integer exponent', op: 'Pow', ins: [fed(randn([2, 3])), floatTensor([], [3])] });
  for (const op of ['Max', 'Min', 'Sum']) {
    cases.push({ label: 'three inputs', op, ins: [fed(randn([2, 3])), fed(randn([3])), fed(randn([2, 1]))] });
    cases.push({ label: 'one input', op, ins: [fed(randn([2, 3]))] });
  }
  const bools = (dims: number[]) => makeTensor('bool', dims, Array.from({ length: numel(dims) }, () => rnd.int(0, 2)));
  cases.push({ label: '', op: 'And', ins: [fed(bools([2, 3])), fed(bools([3]))] });
  cases.push({ label: '', op: 'Or', ins: [fed(bools([2, 1])), fed(bools([2, 3]))] });
  cases.push({ label: 'broadcast', op: 'Where', ins: [fed(bools([2, 1, 4])), fed(randn([3, 4])), fed(randn([2, 3, 1]))] });
  await check(cases);
});

test('data movement: Reshape, Flatten, Transpose, Concat, Split, Pad, Slice, Squeeze, Unsqueeze, Expand, Tile, Gather, ScatterElements', async () => {
  const cases: Case[] = [];
  const x = () => randn([2, 3, 4]);
  cases.push({ label: '0 and −1', op: 'Reshape', ins: [fed(x()), ints([0, -1, 2])] });
  for (const axis of [0, 1, 3, -1]) cases.push({ label: `axis=${axis}`, op: 'Flatten', ins: [fed(x())], attrs: { axis: attr.int(axis) } });
  for (const perm of [undefined, [0, 2, 1], [2, 0, 1], [1, 2, 0]]) {
    cases.push({ label: `perm=${perm}`, op: 'Transpose', ins: [fed(x())], attrs: perm ? { perm: attr.ints(perm) } : {} });
  }
  cases.push({ label: 'axis 1', op: 'Concat', ins: [fed(x()), fed(randn([2, 1, 4])), randn([2, 2, 4])], attrs: { axis: attr.int(1) } });
  cases.push({ label: 'axis −1', op: 'Concat', ins: [fed(x()), fed(randn([2, 3, 2]))], attrs: { axis: attr.int(-1) } });
  cases.push({ label: 'sizes', op: 'Split', ins: [fed(x()), ints([1, 3])], attrs: { axis: attr.int(2) }, outputs: 2 });
  cases.push({ label: 'equal', op: 'Split', ins: [fed(x())], attrs: { axis: attr.int(1) }, outputs: 3 });
  for (const mode of ['constant', 'reflect', 'edge']) {
    for (const pads of [[0, 1, 2, 0, 2, 1], [1, 0, 1, 1, 2, 0], [0, 2, 3, 0, 1, 3]]) {
      cases.push({ label: `${mode} [${pads}]`, op: 'Pad', ins: [fed(x()), ints(pads), mode === 'constant' ? floatTensor([], [1.5]) : undefined], attrs: { mode: attr.string(mode) } });
    }
  }
  cases.push({ label: 'negative pads crop', op: 'Pad', ins: [fed(x()), ints([0, -1, 1, 0, 0, -2])] });
  const sliceCases: [number[], number[], number[] | undefined, number[] | undefined][] = [
    [[1], [3], undefined, undefined],
    [[-1, 3], [-100, 0], [1, 2], [-1, -2]],
    [[0, -1], [2, -4], [0, 2], [1, -1]],
    [[2, 10], [0, -10], [1, -1], [-2, -3]],
    [[-2], [1000], [-1], [1]],
    [[0], [3], [1], [2]],
  ];
  for (const [starts, ends, axes, steps] of sliceCases) {
    cases.push({
      label: `starts=[${starts}] ends=[${ends}] axes=[${axes}] steps=[${steps}]`,
      op: 'Slice',
      ins: [fed(x()), ints(starts), ints(ends), axes ? ints(axes) : undefined, steps ? ints(steps) : undefined],
    });
  }
  cases.push({ label: 'axes', op: 'Squeeze', ins: [fed(randn([1, 3, 1, 2])), ints([0, -2])] });
  cases.push({ label: 'all', op: 'Squeeze', ins: [fed(randn([1, 3, 1, 2]))] });
  cases.push({ label: '', op: 'Unsqueeze', ins: [fed(x()), ints([0, 4, -1])] });
  cases.push({ label: 'rank up', op: 'Expand', ins: [fed(randn([3, 1])), ints([2, 1, 4])] });
  cases.push({ label: 'ones', op: 'Expand', ins: [fed(randn([2, 1, 4])), ints([1, 3, 1])] });
  cases.push({ label: '', op: 'Tile', ins: [fed(x()), ints([2, 1, 3])] });
  for (const axis of [0, 1, -1]) {
    cases.push({ label: `axis=${axis}`, op: 'Gather', ins: [fed(x()), ints([-1, 0, 1, -2], [2, 2])], attrs: { axis: attr.int(axis) } });
  }
  cases.push({ label: 'scalar index', op: 'Gather', ins: [fed(x()), int64Tensor([2], [])], attrs: { axis: attr.int(2) } });
  // Duplicate indices for add and mul; distinct ones (a permutation per row) for none.
  for (const reduction of ['add', 'mul']) {
    for (const axis of [0, 1, -1]) {
      const dims = [2, 3, 4];
      const n = dims[axis < 0 ? axis + 3 : axis];
      const upd = [2, 2, 3];
      const idx = int64Tensor(Array.from({ length: numel(upd) }, () => rnd.int(-n, n)), upd);
      cases.push({ label: `${reduction} axis=${axis}`, op: 'ScatterElements', ins: [fed(x()), idx, fed(randn(upd))], attrs: { axis: attr.int(axis), reduction: attr.string(reduction) } });
    }
  }
  cases.push({ label: 'none, distinct negative indices', op: 'ScatterElements', ins: [fed(randn([3, 4])), ints([2, -4, 1, -3, 0, 3], [2, 3]), fed(randn([2, 3]))], attrs: { axis: attr.int(1) } });
  await check(cases);
});

test('Resize: nearest modes × coordinate transforms, linear × coordinate transforms, scales and sizes', async () => {
  const cases: Case[] = [];
  const transforms = ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric'];
  const sizings: [string, Tensor | undefined, Tensor | undefined][] = [
    ['scales ×2', floatTensor([4], [1, 1, 2, 2]), undefined],
    ['scales ×0.5', floatTensor([4], [1, 1, 0.5, 0.5]), undefined],
    ['scales ×3,×1.5', floatTensor([4], [1, 1, 3, 1.5]), undefined],
    ['sizes 5×7→7×3', undefined, ints([1, 2, 7, 3])],
    ['sizes 5×7→1×14', undefined, ints([1, 2, 1, 14])],
  ];
  for (const [label, scales, sizes] of sizings) {
    for (const transform of transforms) {
      for (const mode of ['linear', 'round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil']) {
        const attrs: Attrs =
          mode === 'linear'
            ? { mode: attr.string('linear'), coordinate_transformation_mode: attr.string(transform) }
            : { mode: attr.string('nearest'), nearest_mode: attr.string(mode), coordinate_transformation_mode: attr.string(transform) };
        cases.push({ label: `${label} ${describe(attrs)}`, op: 'Resize', ins: [fed(randn([1, 2, 5, 7])), undefined, scales, sizes], attrs });
      }
    }
  }
  cases.push({ label: 'tf_half_pixel_for_nn', op: 'Resize', ins: [fed(randn([1, 1, 4, 6])), undefined, floatTensor([4], [1, 1, 1.5, 0.5])], attrs: { mode: attr.string('nearest'), coordinate_transformation_mode: attr.string('tf_half_pixel_for_nn') } });
  await check(cases);
});

test('Shape, ConstantOfShape, Range, Cast, reductions, ArgMax', async () => {
  const cases: Case[] = [];
  const x = () => randn([2, 3, 4]);
  cases.push({ label: '', op: 'Shape', ins: [fed(x())] });
  cases.push({ label: 'start end', op: 'Shape', ins: [fed(x())], attrs: { start: attr.int(-2), end: attr.int(5) } });
  cases.push({ label: 'value', op: 'ConstantOfShape', ins: [ints([2, 3])], attrs: { value: attr.tensor(floatTensor([1], [2.5])) } });
  cases.push({ label: 'int', op: 'Range', ins: [int64Tensor([2], []), int64Tensor([-9], []), int64Tensor([-3], [])] });
  cases.push({ label: 'float', op: 'Range', ins: [floatTensor([], [0.5]), floatTensor([], [3]), floatTensor([], [0.75])] });
  cases.push({ label: 'to int64', op: 'Cast', ins: [fed(x())], attrs: { to: attr.int(7) } });
  cases.push({ label: 'to bool', op: 'Cast', ins: [fed(randInts([2, 3], -1, 2))], attrs: { to: attr.int(9) } });
  cases.push({ label: 'int64 to float', op: 'Cast', ins: [fed(ints([1, -2, 3]))], attrs: { to: attr.int(1) } });
  cases.push({ label: 'to int32', op: 'Cast', ins: [fed(randn([2, 3], 100))], attrs: { to: attr.int(6) } });
  cases.push({ label: 'to uint8', op: 'Cast', ins: [fed(floatTensor([4], [0.5, 3.9, 200.2, 255]))], attrs: { to: attr.int(2) } });
  cases.push({ label: 'bool to float', op: 'Cast', ins: [fed(makeTensor('bool', [3], [1, 0, 1]))], attrs: { to: attr.int(1) } });
  // Integer arithmetic as shape computations use it (int64 held in Float64Array).
  const a = ints([7, -7, 5, -5, 9, 0]);
  const b = ints([2, 2, -3, -3, 4, 5]);
  for (const op of ['Add', 'Sub', 'Mul', 'Div', 'Max', 'Min', 'Equal', 'Less', 'Greater']) cases.push({ label: 'int64', op, ins: [fed(a), fed(b)] });
  cases.push({ label: 'int64', op: 'Neg', ins: [fed(a)] });
  cases.push({ label: 'int64', op: 'Abs', ins: [fed(a)] });
  cases.push({ label: 'int64', op: 'ReduceSum', ins: [fed(ints([1, 2, 3, 4], [2, 2])), ints([0])] });
  cases.push({ label: 'int64', op: 'Concat', ins: [fed(a), b], attrs: { axis: attr.int(0) } });
  cases.push({ label: 'int64 data', op: 'Gather', ins: [fed(a), ints([5, -1, 0])] });
  cases.push({ label: 'int64', op: 'Where', ins: [fed(makeTensor('bool', [6], [1, 0, 1, 0, 0, 1])), fed(a), fed(b)] });
  cases.push({ label: 'int64', op: 'Slice', ins: [fed(a), ints([-1]), ints([-7]), ints([0]), ints([-2])] });
  cases.push({ label: 'int64', op: 'Unsqueeze', ins: [fed(a), ints([0])] });
  for (const keep of [0, 1]) {
    for (const axes of [[], [1], [0, 2], [-1]]) {
      cases.push({ label: `axes=[${axes}] keepdims=${keep}`, op: 'ReduceSum', ins: [fed(x()), axes.length ? ints(axes) : undefined], attrs: { keepdims: attr.int(keep) } });
      for (const op of ['ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceL2']) {
        cases.push({ label: `axes=[${axes}] keepdims=${keep}`, op, ins: [fed(x())], attrs: { keepdims: attr.int(keep), ...(axes.length ? { axes: attr.ints(axes) } : {}) } });
      }
    }
  }
  cases.push({ label: 'noop_with_empty_axes', op: 'ReduceSum', ins: [fed(x())], attrs: { noop_with_empty_axes: attr.int(1) } });
  for (const axis of [0, 1, -1]) {
    for (const keep of [0, 1]) {
      for (const last of [0, 1]) {
        cases.push({ label: `axis=${axis} keepdims=${keep} select_last_index=${last}`, op: 'ArgMax', ins: [fed(randInts([3, 4, 5], 0, 3))], attrs: { axis: attr.int(axis), keepdims: attr.int(keep), select_last_index: attr.int(last) } });
      }
    }
  }
  await check(cases);
});
