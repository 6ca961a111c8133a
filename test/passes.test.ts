/**
 * Canonicalisation passes (src/passes): BatchNormalization folding, constant folding of PyTorch's
 * Shape→Gather→Unsqueeze→Concat→Reshape chains, Identity/Dropout removal, dead-code removal, and the
 * importer fixing a dynamic batch dimension.
 *
 * Numerical check: the reference interpreter (float64) gives the same outputs before and after the passes
 * within max |after − before| ≤ 1e−5 · max |before| (folded BN weights are stored as float32, and
 * (W·s)x + b' reorders the maths of s·(Wx + b − μ) + β).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { runGraph } from '../src/interp/run.js';
import { GraphBuilder } from '../src/ir/builder.js';
import { type Attrs, type Graph, attr } from '../src/ir/graph.js';
import { type Tensor, floatTensor, makeTensor, numel } from '../src/ir/tensor.js';
import { readModel } from '../src/onnx/read.js';
import { attrToProto } from '../src/onnx/attributes.js';
import { ModelProto, type ModelMsg, type NodeMsg, type ValueInfoMsg } from '../src/onnx/schema.js';
import { tensorToProto } from '../src/onnx/tensor.js';
import { encodeModel } from '../src/onnx/write.js';
import { canonicalise } from '../src/passes/canonicalise.js';
import { graphOf, randomConstant } from './util/graphs.js';
import { relativeMaxError } from './util/ort.js';
import { Random } from './util/random.js';

const TOLERANCE = 1e-5;
const rnd = new Random(424242);

const ops = (g: Graph) => g.nodes.map((n) => n.op);
const feedFor = (g: Graph, seed = 1): Record<string, Tensor> => {
  const dims = g.values.get(g.inputs[0])!.shape;
  return { [g.inputs[0]]: floatTensor(dims, new Random(seed).normals(numel(dims))) };
};

/** BatchNormalization over `channels` with random γ, β, μ and σ² ∈ [0.5, 2). */
function batchNorm(b: GraphBuilder, x: string, channels: number, epsilon = 1e-3): string {
  const gamma = randomConstant(b, rnd, [channels], 1, 'gamma');
  const beta = randomConstant(b, rnd, [channels], 1, 'beta');
  const mean = randomConstant(b, rnd, [channels], 1, 'mean');
  const variance = b.constant(floatTensor([channels], rnd.uniforms(channels, 0.5, 2)), 'var');
  return b.op('BatchNormalization', [x, gamma, beta, mean, variance], { epsilon: attr.float(epsilon) }, 'bn');
}

/** Canonicalises `g` and checks the interpreter's outputs did not change; returns the canonical graph. */
function canonicaliseUnchanged(g: Graph): Graph {
  const feeds = feedFor(g);
  const before = runGraph(g, feeds);
  const after = runGraph(canonicalise(g), feeds);
  for (const out of g.outputs) {
    const err = relativeMaxError(after[out].data, before[out].data);
    assert.ok(err <= TOLERANCE, `${out}: canonicalised output differs by ${err} (relative) > ${TOLERANCE}`);
  }
  return g;
}

test('BN folds into Conv (with and without bias) before a Relu', () => {
  for (const withBias of [true, false]) {
    const g = graphOf([2, 3, 9, 9], (b, x) => {
      const w = randomConstant(b, rnd, [5, 3, 3, 3], 0.5);
      const inputs = withBias ? [x, w, randomConstant(b, rnd, [5], 0.5, 'b')] : [x, w];
      const conv = b.op('Conv', inputs, { pads: attr.ints([1, 1, 1, 1]), strides: attr.ints([2, 2]) });
      return b.op('Relu', [batchNorm(b, conv, 5)]);
    });
    canonicaliseUnchanged(g);
    assert.deepEqual(ops(g), ['Conv', 'Relu'], `bias ${withBias}`);
    assert.equal(g.nodes[0].inputs.length, 3, 'the folded Conv has a bias');
    assert.ok(![...g.initializers.keys()].some((k) => /gamma|beta|mean|var/.test(k)), 'the BN parameters are gone');
  }
});

test('BN folds into Gemm (transB = 0 and 1)', () => {
  for (const transB of [0, 1]) {
    const g = graphOf([4, 6], (b, x) => {
      const w = randomConstant(b, rnd, transB ? [5, 6] : [6, 5], 0.5);
      const gemm = b.op('Gemm', [x, w, randomConstant(b, rnd, [5], 0.5, 'c')], { transB: attr.int(transB) });
      return batchNorm(b, gemm, 5);
    });
    canonicaliseUnchanged(g);
    assert.deepEqual(ops(g), ['Gemm'], `transB ${transB}`);
  }
});

test('two Convs sharing one weight, each before its own BN, fold into two distinct weights', () => {
  const g = graphOf([1, 3, 5, 5], (b, x) => {
    const w = randomConstant(b, rnd, [3, 3, 3, 3], 0.5, 'shared_w');
    const first = b.op('Relu', [batchNorm(b, b.op('Conv', [x, w], { pads: attr.ints([1, 1, 1, 1]) }), 3)]);
    return batchNorm(b, b.op('Conv', [first, w], { pads: attr.ints([1, 1, 1, 1]) }), 3);
  });
  canonicaliseUnchanged(g);
  assert.deepEqual(ops(g), ['Conv', 'Relu', 'Conv']);
  assert.notEqual(g.nodes[0].inputs[1], g.nodes[2].inputs[1], 'each Conv has its own folded weight');
});

test('a BN whose Conv output has another consumer is kept (and still computes the same)', () => {
  const g = graphOf([1, 3, 6, 6], (b, x) => {
    const conv = b.op('Conv', [x, randomConstant(b, rnd, [3, 3, 1, 1], 0.5)]);
    return b.op('Add', [batchNorm(b, conv, 3), conv]);
  });
  canonicaliseUnchanged(g);
  assert.deepEqual(ops(g), ['Conv', 'BatchNormalization', 'Add']);
});

test('a BN fed by a graph input (no Conv/Gemm before it) is kept', () => {
  const g = graphOf([1, 3, 4, 4], (b, x) => batchNorm(b, x, 3));
  canonicaliseUnchanged(g);
  assert.deepEqual(ops(g), ['BatchNormalization']);
});

/**
 * A PyTorch-exported classifier head as ONNX (opset 13): the IR cannot hold an unfolded Reshape target
 * (shapes are static), so the chain is written as a file and folded by the importer as it reads:
 *   x [N,C,H,W] → (Conv → BatchNormalization →)? Relu → r
 *   r.view(r.size(0), −1): Shape(r) → Gather(·, 0) → Unsqueeze(·, [0]) → Concat(·, [−1]) → Reshape(r, ·)
 *   → Gemm(·, W, transB = 1) → y [N, 5]
 * `batch` undefined writes a symbolic batch dimension.
 */
function pytorchHeadModel(dims: number[], withConvBn: boolean, batch?: number): Uint8Array {
  const r = new Random(77);
  const [, c, h, w] = dims;
  const inits: [string, Tensor][] = [
    ['zero', makeTensor('int64', [], [0])],
    ['axes0', makeTensor('int64', [1], [0])],
    ['minus_one', makeTensor('int64', [1], [-1])],
    ['fc_w', floatTensor([5, c * h * w], r.normals(5 * c * h * w, 0.2))],
    ['fc_b', floatTensor([5], r.normals(5, 0.2))],
  ];
  const nodes: NodeMsg[] = [];
  let x = 'x';
  if (withConvBn) {
    inits.push(['conv_w', floatTensor([c, c, 3, 3], r.normals(c * c * 9, 0.4))], ['bn_gamma', floatTensor([c], r.normals(c))],
      ['bn_beta', floatTensor([c], r.normals(c))], ['bn_mean', floatTensor([c], r.normals(c))], ['bn_var', floatTensor([c], r.uniforms(c, 0.5, 2))]);
    nodes.push(node('Conv', ['x', 'conv_w'], ['conv'], { pads: attr.ints([1, 1, 1, 1]) }),
      node('BatchNormalization', ['conv', 'bn_gamma', 'bn_beta', 'bn_mean', 'bn_var'], ['bn']));
    x = 'bn';
  }
  nodes.push(
    node('Relu', [x], ['r']),
    node('Shape', ['r'], ['shape']),
    node('Gather', ['shape', 'zero'], ['n'], { axis: attr.int(0) }),
    node('Unsqueeze', ['n', 'axes0'], ['n1']),
    node('Concat', ['n1', 'minus_one'], ['target'], { axis: attr.int(0) }),
    node('Reshape', ['r', 'target'], ['flat']),
    node('Gemm', ['flat', 'fc_w', 'fc_b'], ['y'], { transB: attr.int(1) }),
  );
  const vi = (name: string, shape: (number | undefined)[]): ValueInfoMsg => ({
    name, type: { tensor_type: { elem_type: 1, shape: { dim: shape.map((d) => (d === undefined ? { dim_param: 'batch' } : { dim_value: d })) } } },
  });
  const msg: ModelMsg = {
    ir_version: 7,
    opset_import: [{ domain: '', version: 13 }],
    graph: {
      name: 'pytorch_head',
      node: nodes,
      initializer: inits.map(([name, t]) => tensorToProto(t, name)),
      input: [vi('x', [batch, c, h, w])],
      output: [vi('y', [batch, 5])],
    },
  };
  return ModelProto.encode(ModelProto.fromObject(msg)).finish();
}

let nodeCount = 0;
function node(op: string, input: string[], output: string[], attrs: Attrs = {}): NodeMsg {
  return { op_type: op, name: `${op.toLowerCase()}_${nodeCount++}`, input, output, attribute: Object.entries(attrs).map(([k, a]) => attrToProto(k, a)) };
}

/** onnxruntime's output `y` for ONNX bytes on feed x. */
async function ortOutput(bytes: Uint8Array, x: Tensor): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3, intraOpNumThreads: 1 });
  try {
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from(x.data), [...x.dims]) });
    return out.y.data as Float32Array;
  } finally {
    await session.release();
  }
}

test('the PyTorch Shape→Gather→Unsqueeze→Concat→Reshape chain folds to a Reshape with a constant shape', async () => {
  const bytes = pytorchHeadModel([2, 3, 4, 4], false, 2);
  const read = readModel(bytes, { source: 'head.onnx' });
  assert.deepEqual(ops(read), ['Relu', 'Reshape', 'Gemm']);
  const reshape = read.nodes[1];
  const target = read.initializers.get(reshape.inputs[1]);
  assert.ok(target, 'the Reshape target is an initializer');
  assert.deepEqual(Array.from(target.data), [2, -1]);
  const g = canonicaliseUnchanged(read);
  assert.deepEqual(ops(g), ['Relu', 'Reshape', 'Gemm']);
  // The chain's intermediate constants are gone after dead-code removal.
  assert.deepEqual([...g.initializers.keys()].sort(), ['fc_b', 'fc_w', reshape.inputs[1]].sort());
  const feeds = feedFor(g, 4);
  const err = relativeMaxError(runGraph(g, feeds, { precision: 'float32' }).y.data, await ortOutput(bytes, feeds.x));
  assert.ok(err <= TOLERANCE, `folded graph vs onnxruntime on the original: ${err}`);
});

test('constant subgraphs built in the IR fold to one initializer', () => {
  const g = graphOf([2, 3], (b, x) => {
    const a = b.constant(floatTensor([3], [1, 2, 3]), 'a');
    const s = b.op('Sqrt', [b.op('Add', [a, b.constant(floatTensor([3], [3, 2, 1]), 'c')])]);
    return b.op('Mul', [x, b.op('Neg', [s])]);
  });
  canonicaliseUnchanged(g);
  assert.deepEqual(ops(g), ['Mul']);
  const folded = g.initializers.get(g.nodes[0].inputs[1]);
  assert.ok(folded);
  assert.deepEqual(Array.from(folded.data), [-2, -2, -2]);
  assert.equal(g.initializers.size, 1);
});

test('Identity and Dropout are removed, except an Identity producing a graph output', () => {
  const g = graphOf([2, 4], (b, x) => {
    const a = b.op('Identity', [x]);
    const d = b.op('Dropout', [b.op('Relu', [a])]);
    const e = b.op('Identity', [b.op('Neg', [d])]);
    return b.op('Identity', [b.op('Sigmoid', [e])], {}, 'out');
  });
  canonicaliseUnchanged(g);
  assert.deepEqual(ops(g), ['Relu', 'Neg', 'Sigmoid', 'Identity']);
  assert.equal(g.nodes[0].inputs[0], 'x', 'Relu now reads x directly');
  assert.equal(g.nodes[3].outputs[0], g.outputs[0], 'the output name is kept');
  for (const n of g.nodes) for (const i of n.inputs) assert.ok(g.values.has(i), `${n.op} reads '${i}', which has no type`);
});

test('dead nodes and unused initializers are removed', () => {
  let dead = '';
  const g = graphOf([1, 4], (b, x) => {
    const w = randomConstant(b, rnd, [1, 4], 1, 'w_live');
    dead = b.op('Mul', [b.op('Exp', [x]), randomConstant(b, rnd, [1, 4], 1, 'w_dead')], {}, 'dead');
    b.constant(floatTensor([3], [1, 2, 3]), 'orphan');
    return b.op('Add', [x, w]);
  });
  assert.ok(g.values.has(dead));
  canonicaliseUnchanged(g);
  assert.deepEqual(ops(g), ['Add']);
  assert.deepEqual([...g.initializers.keys()], ['w_live']);
  assert.ok(!g.values.has(dead), 'dead values lose their types too');
  assert.deepEqual([...g.values.keys()].sort(), ['x', 'w_live', g.outputs[0]].sort());
});

test('a dynamic batch dimension is fixed to the batch being compiled (3), through the PyTorch chain', async () => {
  const bytes = pytorchHeadModel([1, 2, 3, 3], true);
  const msg = ModelProto.toObject(ModelProto.decode(bytes)) as ModelMsg;
  assert.equal(msg.graph!.input![0].type!.tensor_type!.shape!.dim![0].dim_param, 'batch');

  const read = readModel(bytes, { batch: 3 });
  assert.deepEqual(read.values.get('x')!.shape, [3, 2, 3, 3]);
  assert.deepEqual(read.values.get('y')!.shape, [3, 5]);
  // The importer folds the chain as it reads: the Reshape target holds the batch of 3.
  assert.deepEqual(ops(read), ['Conv', 'BatchNormalization', 'Relu', 'Reshape', 'Gemm']);
  const reshape = read.nodes.find((n) => n.op === 'Reshape')!;
  assert.deepEqual(Array.from(read.initializers.get(reshape.inputs[1])!.data), [3, -1]);
  for (const [name, v] of read.values) {
    if (!read.initializers.has(name)) assert.equal(v.shape[0], 3, `value '${name}' has batch ${v.shape[0]}`);
  }
  const canonical = canonicaliseUnchanged(read);
  assert.deepEqual(ops(canonical), ['Conv', 'Relu', 'Reshape', 'Gemm']);

  // The batch-3 graph computes what onnxruntime computes with the dynamic file at batch 3.
  const feeds = feedFor(canonical, 2);
  const ours = runGraph(canonical, feeds, { precision: 'float32' });
  const err = relativeMaxError(ours.y.data, await ortOutput(bytes, feeds.x));
  assert.ok(err <= TOLERANCE, `canonical batch-3 graph vs onnxruntime: ${err}`);
  const written = await ortOutput(encodeModel(canonical), feeds.x);
  assert.ok(relativeMaxError(written, await ortOutput(bytes, feeds.x)) <= TOLERANCE);
});

test('a dynamic dimension other than the batch needs a static input shape', () => {
  const g = graphOf([1, 3, 4, 4], (b, x) => b.op('Relu', [x]));
  const msg = ModelProto.toObject(ModelProto.decode(encodeModel(g))) as ModelMsg;
  msg.graph!.input![0].type!.tensor_type!.shape!.dim![2] = { dim_param: 'height' };
  const bytes = ModelProto.encode(ModelProto.fromObject(msg)).finish();
  assert.throws(() => readModel(bytes, { source: 'dyn.onnx' }), /dyn\.onnx: input 'x' has a dynamic dimension 'height' at axis 2; give a static input shape/);
  assert.deepEqual(readModel(bytes, { inputShapes: { x: [2, 3, 5, 5] } }).values.get(g.outputs[0])!.shape, [2, 3, 5, 5]);
});
