/**
 * ONNX import/export (src/onnx) on the shared reference models and on hand-built legacy and broken files.
 *
 * Round trip: each ../shared/models/<name>/model.onnx is read into the IR (batch fixed to 2 through the
 * model's dynamic batch axis), written back with encodeModel and run by onnxruntime-node beside the
 * original file, on the same seeded input. Tolerances (max |a − b| / max |b|):
 *   - raw re-written graph (no passes):   ≤ 1e−6 (in practice bit-identical: same ops, same weights);
 *   - canonicalised graph:                ≤ 1e−5 (BN folding and constant folding reorder float maths);
 *   - reference interpreter (float32) vs onnxruntime on resnet20: ≤ 1e−4.
 * Models absent (a fresh clone without ../shared) are skipped visibly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { HeatlensError } from '../src/errors.js';
import { appendBackward } from '../src/grad/backward.js';
import { exactRectifier } from '../src/methods/rectifiers.js';
import { runGraph } from '../src/interp/run.js';
import { GraphBuilder } from '../src/ir/builder.js';
import { type Attrs, type Graph, attr, emptyGraph } from '../src/ir/graph.js';
import { type Tensor, floatTensor, numel } from '../src/ir/tensor.js';
import { attrToProto } from '../src/onnx/attributes.js';
import { readModel } from '../src/onnx/read.js';
import { readModelFile } from '../src/onnx/readFile.js';
import { ModelProto, type ModelMsg, type NodeMsg, type ValueInfoMsg } from '../src/onnx/schema.js';
import { tensorToProto } from '../src/onnx/tensor.js';
import { encodeModel, toModelMessage } from '../src/onnx/write.js';
import { canonicalise } from '../src/passes/canonicalise.js';
import { relativeMaxError } from './util/ort.js';
import { Random } from './util/random.js';

const SHARED = new URL('../../../shared/', import.meta.url);
const modelPath = (name: string) => new URL(`models/${name}/model.onnx`, SHARED).pathname;
const RAW_TOLERANCE = 1e-6;
const CANONICAL_TOLERANCE = 1e-5;
const INTERP_TOLERANCE = 1e-4;

const sessionOptions: ort.InferenceSession.SessionOptions = { logSeverityLevel: 3, intraOpNumThreads: 1, interOpNumThreads: 1 };

/** Runs ONNX bytes (or a file) in onnxruntime on one float32 feed; returns every output as Float32Array. */
async function runOrt(model: Uint8Array | string, feeds: Record<string, Tensor>): Promise<Record<string, Float32Array>> {
  const session = typeof model === 'string'
    ? await ort.InferenceSession.create(model, sessionOptions)
    : await ort.InferenceSession.create(model, sessionOptions);
  try {
    const ortFeeds = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new ort.Tensor('float32', Float32Array.from(t.data), [...t.dims])]));
    const out = await session.run(ortFeeds);
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Float32Array.from(v.data as Float32Array)]));
  } finally {
    await session.release();
  }
}

function seededInput(graph: Graph, seed: number): Tensor {
  const dims = graph.values.get(graph.inputs[0])!.shape;
  return floatTensor(dims, new Random(seed).normals(numel(dims)));
}

/** Asserts `err` is one HeatlensError whose message is one line and matches every pattern. */
function assertOneLineError(err: unknown, ...patterns: RegExp[]): true {
  assert.ok(err instanceof HeatlensError, `expected a HeatlensError, got ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
  assert.ok(!err.message.includes('\n'), `the message should be one line: ${err.message}`);
  for (const p of patterns) assert.match(err.message, p);
  return true;
}

const SHARED_MODELS = ['resnet20-cifar10', 'darknet-tiny-imagenet', 'mobilenet-v1-025-imagenet', 'doodlenet-quickdraw'];

for (const name of SHARED_MODELS) {
  test(`round trip: ${name} (batch 2) re-loads in onnxruntime with the original's outputs`, async (t) => {
    const path = modelPath(name);
    if (!existsSync(path)) return t.skip('../shared absent');
    const raw = readModelFile(path, { batch: 2 });
    const input = raw.inputs[0];
    assert.equal(raw.inputs.length, 1);
    assert.equal(raw.values.get(input)!.shape[0], 2, 'the dynamic batch axis is fixed to 2');
    const x = seededInput(raw, 7);
    const feeds = { [input]: x };

    const original = await runOrt(path, feeds);
    const rawBytes = encodeModel(raw);
    const rewritten = await runOrt(rawBytes, feeds);
    // Re-reading the written file gives the same graph (no drift through a second round trip).
    const again = readModel(rawBytes, { source: `${name} (re-written)` });
    assert.deepEqual(again.nodes.map((n) => n.op), raw.nodes.map((n) => n.op));
    assert.deepEqual([...again.initializers.keys()].sort(), [...raw.initializers.keys()].sort());

    const canonical = canonicalise(readModelFile(path, { batch: 2 }));
    assert.equal(canonical.values.get(input)!.shape[0], 2);
    const canonicalOut = await runOrt(encodeModel(canonical), feeds);

    assert.deepEqual(Object.keys(rewritten), Object.keys(original));
    assert.deepEqual(Object.keys(canonicalOut), Object.keys(original));
    for (const out of Object.keys(original)) {
      assert.equal(original[out].length % 2, 0);
      const rawErr = relativeMaxError(rewritten[out], original[out]);
      assert.ok(rawErr <= RAW_TOLERANCE, `${name} ${out}: raw round trip differs by ${rawErr} (relative) > ${RAW_TOLERANCE}`);
      const canErr = relativeMaxError(canonicalOut[out], original[out]);
      assert.ok(canErr <= CANONICAL_TOLERANCE, `${name} ${out}: canonicalised graph differs by ${canErr} (relative) > ${CANONICAL_TOLERANCE}`);
      // The two images of the batch are different inputs: the outputs must differ too (batch not collapsed).
      const half = original[out].length / 2;
      assert.notDeepEqual(rewritten[out].subarray(0, half), rewritten[out].subarray(half));
    }
  });
}

test('the interpreter (float32) agrees with onnxruntime on resnet20', async (t) => {
  const path = modelPath('resnet20-cifar10');
  if (!existsSync(path)) return t.skip('../shared absent');
  const graph = readModelFile(path, { batch: 1 });
  const x = seededInput(graph, 11);
  const feeds = { [graph.inputs[0]]: x };
  const expected = await runOrt(path, feeds);
  const ours = runGraph(graph, feeds, { precision: 'float32' });
  for (const out of graph.outputs) {
    const err = relativeMaxError(ours[out].data, expected[out]);
    assert.ok(err <= INTERP_TOLERANCE, `${out}: interpreter vs onnxruntime ${err} (relative) > ${INTERP_TOLERANCE}`);
  }
});

// ---------------------------------------------------------------------------------------------------
// Broken files: each is one HeatlensError with a one-line message.

test('a truncated resnet20 is rejected with one error, wherever it is cut', (t) => {
  const path = modelPath('resnet20-cifar10');
  if (!existsSync(path)) return t.skip('../shared absent');
  const bytes = readFileSync(path);
  const dir = mkdtempSync(join(tmpdir(), 'heatlens-onnx-'));
  try {
    for (const cut of [3, 100, 5000, Math.floor(bytes.length / 2), bytes.length - 40]) {
      const file = join(dir, `truncated-${cut}.onnx`);
      writeFileSync(file, bytes.subarray(0, cut));
      assert.throws(() => readModelFile(file), (e) => assertOneLineError(e, /not a valid ONNX model|truncated|no default-domain opset/, new RegExp(`truncated-${cut}\\.onnx`)), `cut at ${cut}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a PNG given as a model, an empty file and a missing file are rejected with one error', (t) => {
  const png = new URL('images/chelsea.png', SHARED).pathname;
  const dir = mkdtempSync(join(tmpdir(), 'heatlens-onnx-'));
  try {
    const empty = join(dir, 'empty.onnx');
    writeFileSync(empty, new Uint8Array());
    assert.throws(() => readModelFile(empty), (e) => assertOneLineError(e, /empty\.onnx: not a valid ONNX model/));
    assert.throws(() => readModelFile(join(dir, 'absent.onnx')), (e) => assertOneLineError(e, /cannot read model .*absent\.onnx: no such file/));
    assert.throws(() => readModel(new TextEncoder().encode('{"not": "onnx"}'), { source: 'text.onnx' }), (e) => assertOneLineError(e, /text\.onnx: not a valid ONNX model/));
    if (!existsSync(png)) return t.skip('../shared absent (PNG case)');
    assert.throws(() => readModelFile(png), (e) => assertOneLineError(e, /chelsea\.png: not a valid ONNX model/));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------------------------------------------
// Hand-built models.

const vi = (name: string, shape: number[]): ValueInfoMsg => ({
  name, type: { tensor_type: { elem_type: 1, shape: { dim: shape.map((d) => ({ dim_value: d })) } } },
});
const nodeMsg = (op: string, name: string, input: string[], output: string[], attrs: Attrs = {}, domain?: string): NodeMsg => ({
  op_type: op, name, input, output, attribute: Object.entries(attrs).map(([k, a]) => attrToProto(k, a)), ...(domain ? { domain } : {}),
});
const encodeMsg = (msg: ModelMsg): Uint8Array => ModelProto.encode(ModelProto.fromObject(msg)).finish();

/** x [1,3,8,8] → Relu → y: a valid IR graph to start hand-made messages from. */
function tinyGraph(): Graph {
  const graph = emptyGraph('tiny');
  graph.inputs = ['x'];
  graph.values.set('x', { dtype: 'float32', shape: [1, 3, 8, 8] });
  const b = new GraphBuilder(graph);
  graph.outputs = [b.op('Relu', ['x'])];
  return graph;
}

test('unsupported ops are all listed in one error, with their node names and domains', () => {
  const msg = toModelMessage(tinyGraph());
  const g = msg.graph!;
  const y = g.output![0].name;
  g.node!.push(
    nodeMsg('NonMaxSuppression', 'nms_first', [y, y], ['nms_a']),
    nodeMsg('Foo', 'foo_node', [y], ['foo_out'], {}, 'com.example'),
    nodeMsg('NonMaxSuppression', 'nms_second', [y, y], ['nms_b']),
    nodeMsg('Relu', 'fine_relu', [y], ['fine_out']),
    nodeMsg('Bar', '', [y], ['bar_out'], {}, 'com.example'),
  );
  msg.opset_import!.push({ domain: 'com.example', version: 1 });
  let caught: unknown;
  try {
    readModel(encodeMsg(msg), { source: 'custom.onnx' });
  } catch (e) {
    caught = e;
  }
  assertOneLineError(caught, /^custom\.onnx: unsupported ops: /, /NonMaxSuppression \(nms_first, nms_second\)/, /com\.example\.Foo \(foo_node\)/, /com\.example\.Bar \(#5\)/);
  assert.equal((caught as HeatlensError).code, 'E_UNSUPPORTED_OP');
  assert.doesNotMatch((caught as HeatlensError).message, /fine_relu|Relu/, 'supported ops are not listed');
});

/**
 * An opset-9 model in the attribute forms later opsets moved to inputs:
 *   x [1,3,8,8] → Pad-2 (pads, value attrs) → Conv → Clip-6 (min/max attrs) → Slice-1 (starts/ends/axes attrs)
 *   → Dropout-7 (ratio attr) → ReduceSum-1 (axes attr) → Squeeze-1 (axes attr) → Unsqueeze-1 (axes attr)
 *   → Softmax-1 (axis 1 on a 4-D tensor: coerced to 2-D [1, 24]) → y [1,4,6,1]
 * onnxruntime runs the legacy file as written; heatlens's import, written at opset 17, must match it.
 */
function legacyModel(opset: number): Uint8Array {
  const rnd = new Random(3);
  const w = floatTensor([4, 3, 3, 3], rnd.normals(108, 0.4));
  const bias = floatTensor([4], rnd.normals(4, 0.1));
  const msg: ModelMsg = {
    ir_version: 4,
    opset_import: [{ domain: '', version: opset }],
    producer_name: 'heatlens-test',
    graph: {
      name: 'legacy',
      initializer: [tensorToProto(w, 'w'), tensorToProto(bias, 'bias')],
      input: [vi('x', [1, 3, 8, 8]), vi('w', [4, 3, 3, 3]), vi('bias', [4])],
      output: [vi('y', [1, 4, 6, 1])],
      node: [
        nodeMsg('Pad', 'pad', ['x'], ['padded'], { mode: attr.string('constant'), pads: attr.ints([0, 0, 1, 2, 0, 0, 1, 0]), value: attr.float(0.5) }),
        nodeMsg('Conv', 'conv', ['padded', 'w', 'bias'], ['conv'], { kernel_shape: attr.ints([3, 3]) }),
        nodeMsg('Clip', 'clip', ['conv'], ['clipped'], { min: attr.float(-0.5), max: attr.float(0.7) }),
        nodeMsg('Slice', 'slice', ['clipped'], ['sliced'], { starts: attr.ints([1]), ends: attr.ints([7]), axes: attr.ints([2]) }),
        nodeMsg('Dropout', 'dropout', ['sliced'], ['dropped'], { ratio: attr.float(0.3) }),
        nodeMsg('ReduceSum', 'sum', ['dropped'], ['summed'], { axes: attr.ints([3]), keepdims: attr.int(1) }),
        nodeMsg('Squeeze', 'squeeze', ['summed'], ['squeezed'], { axes: attr.ints([3]) }),
        nodeMsg('Unsqueeze', 'unsqueeze', ['squeezed'], ['unsqueezed'], { axes: attr.ints([3]) }),
        nodeMsg('Softmax', 'softmax', ['unsqueezed'], ['y'], { axis: attr.int(1) }),
      ],
    },
  };
  return encodeMsg(msg);
}

test('an opset-9 model (Pad-2, Clip-6, Slice-1, Squeeze/Unsqueeze/ReduceSum axes attributes, Softmax-1) imports and runs like the original', async () => {
  const bytes = legacyModel(9);
  const graph = readModel(bytes, { source: 'legacy.onnx' });
  assert.equal(graph.opset, 17, 'the IR is at the canonical opset');
  assert.deepEqual(graph.values.get('y')!.shape, [1, 4, 6, 1]);
  for (const n of graph.nodes) {
    for (const a of ['pads', 'value', 'min', 'max', 'starts', 'ends', 'axes', 'ratio']) {
      assert.ok(!(a in n.attrs), `${n.op} node '${n.name}' still has the legacy attribute '${a}'`);
    }
  }
  const x = floatTensor([1, 3, 8, 8], new Random(5).normals(192));
  const expected = await runOrt(bytes, { x });
  const ours = await runOrt(encodeModel(graph), { x });
  const canonicalOut = await runOrt(encodeModel(canonicalise(readModel(bytes))), { x });
  const interp = runGraph(graph, { x }, { precision: 'float32' });
  // Softmax-1 normalises over all 24 values of the one image; per-axis softmax would sum to 6 (= 6 rows).
  assert.ok(Math.abs(expected.y.reduce((a, v) => a + v, 0) - 1) < 1e-5);
  assert.ok(relativeMaxError(ours.y, expected.y) <= RAW_TOLERANCE, `re-written: ${relativeMaxError(ours.y, expected.y)}`);
  assert.ok(relativeMaxError(canonicalOut.y, expected.y) <= CANONICAL_TOLERANCE, `canonicalised: ${relativeMaxError(canonicalOut.y, expected.y)}`);
  assert.ok(relativeMaxError(interp.y.data, expected.y) <= INTERP_TOLERANCE, `interpreter: ${relativeMaxError(interp.y.data, expected.y)}`);
});

test('opset < 7 is rejected with one error naming the opset', () => {
  assert.throws(() => readModel(legacyModel(6), { source: 'old.onnx' }), (e) => assertOneLineError(e, /^old\.onnx: opset 6 is too old \(heatlens reads opset 7 and later\)$/));
});

test('encodeModel with dynamicBatch writes a symbolic batch that onnxruntime accepts at another size', async () => {
  const graph = tinyGraph();
  const bytes = encodeModel(graph, { dynamicBatch: true });
  const decoded = ModelProto.toObject(ModelProto.decode(bytes)) as ModelMsg;
  assert.equal(decoded.graph!.input![0].type!.tensor_type!.shape!.dim![0].dim_param, 'batch');
  const x = floatTensor([3, 3, 8, 8], new Random(9).normals(3 * 192));
  const out = await runOrt(bytes, { x });
  assert.deepEqual(Array.from(Object.values(out)[0]), Array.from(x.data, (v) => Math.max(v, 0)));
  // Read back with another batch: the symbolic axis takes it.
  assert.deepEqual(readModel(bytes, { batch: 5 }).values.get('x')!.shape, [5, 3, 8, 8]);
});

/**
 * Opset 18 moved ReduceMean/Max/Min/L2's `axes` to an input, gave Split `num_outputs` (uneven last part)
 * and Pad an optional `axes` input; the IR holds opset 17's forms, so the importer must convert them:
 *   x [1,3,4,5] → ReduceMean(axes=[2] as input) → [1,3,1,5] → Split(axis 3, num_outputs 2) → [1,3,1,3], [1,3,1,2]
 *   second part → Pad(pads [0, 1] on axes [3]) → [1,3,1,3];  y = first + padded → ReduceMax(axes=[1] as input, keepdims 0) [1,1,3]
 */
test('an opset-18 model (Reduce* axes as input, Split num_outputs, Pad axes) imports and runs like the original', async () => {
  const int64 = (name: string, values: number[]) => tensorToProto({ dtype: 'int64', dims: [values.length], data: Float64Array.from(values) }, name);
  const msg: ModelMsg = {
    ir_version: 8,
    opset_import: [{ domain: '', version: 18 }],
    graph: {
      name: 'opset18',
      initializer: [int64('axes_h', [2]), int64('axes_c', [1]), int64('pads', [0, 1]), int64('pad_axes', [3])],
      input: [vi('x', [1, 3, 4, 5])],
      output: [vi('y', [1, 1, 3])],
      node: [
        nodeMsg('ReduceMean', 'mean_h', ['x', 'axes_h'], ['m'], { keepdims: attr.int(1) }),
        nodeMsg('Split', 'split', ['m'], ['s0', 's1'], { axis: attr.int(3), num_outputs: attr.int(2) }),
        nodeMsg('Pad', 'pad', ['s1', 'pads', '', 'pad_axes'], ['p'], { mode: attr.string('constant') }),
        nodeMsg('Add', 'add', ['s0', 'p'], ['sum']),
        nodeMsg('ReduceMax', 'max_c', ['sum', 'axes_c'], ['y'], { keepdims: attr.int(0) }),
      ],
    },
  };
  const bytes = encodeMsg(msg);
  const graph = readModel(bytes, { source: 'opset18.onnx' });
  assert.deepEqual(graph.values.get('m')!.shape, [1, 3, 1, 5]);
  assert.deepEqual(graph.values.get('s0')!.shape, [1, 3, 1, 3]);
  assert.deepEqual(graph.values.get('s1')!.shape, [1, 3, 1, 2]);
  assert.deepEqual(graph.values.get('y')!.shape, [1, 1, 3]);
  const x = floatTensor([1, 3, 4, 5], new Random(18).normals(60));
  const expected = await runOrt(bytes, { x });
  const ours = await runOrt(encodeModel(graph), { x });
  const interp = runGraph(graph, { x }, { precision: 'float32' });
  assert.ok(relativeMaxError(ours.y, expected.y) <= RAW_TOLERANCE, `re-written: ${relativeMaxError(ours.y, expected.y)}`);
  assert.ok(relativeMaxError(interp.y.data, expected.y) <= INTERP_TOLERANCE, `interpreter: ${relativeMaxError(interp.y.data, expected.y)}`);
});

test('an opset-18 reduction whose axes are not a constant is one error naming the node', () => {
  const msg: ModelMsg = {
    ir_version: 8,
    opset_import: [{ domain: '', version: 18 }],
    graph: {
      name: 'opset18_dynamic_axes',
      input: [vi('x', [1, 3, 4, 5])],
      output: [vi('y', [1, 3, 4, 1])],
      node: [
        // axes = argmax(flatten(x)): data-dependent, so no static shape exists.
        nodeMsg('Flatten', 'flat', ['x'], ['xf']),
        nodeMsg('ArgMax', 'argmax', ['xf'], ['axes'], { axis: attr.int(1), keepdims: attr.int(0) }),
        nodeMsg('ReduceMax', 'max_dyn', ['x', 'axes'], ['y']),
      ],
    },
  };
  assert.throws(() => readModel(encodeMsg(msg), { source: 'dyn.onnx' }), (e) => assertOneLineError(e, /^dyn\.onnx: ReduceMax node 'max_dyn'.*axes.*compile-time constant/));
});

/**
 * Opsets 11–12 give Split its sizes as the `split` attribute (13 moved them to an input): the importer
 * upgrades the node, and the Split backward rule (dX = Concat of the parts' gradients) runs on it:
 *   x [1,4] → Split(axis 1, split [1,3]) → s0 [1,1], s1 [1,3] → y = Concat(s1, s0) [1,4], so dx = (v3, v0, v1, v2).
 */
test('an opset-11 Split (sizes as attribute) imports as the opset-13 form and differentiates', async () => {
  const msg: ModelMsg = {
    ir_version: 6,
    opset_import: [{ domain: '', version: 11 }],
    graph: {
      name: 'opset11_split',
      input: [vi('x', [1, 4])],
      output: [vi('y', [1, 4])],
      node: [
        nodeMsg('Split', 'split', ['x'], ['s0', 's1'], { axis: attr.int(1), split: attr.ints([1, 3]) }),
        nodeMsg('Concat', 'cat', ['s1', 's0'], ['y'], { axis: attr.int(1) }),
      ],
    },
  };
  const bytes = encodeMsg(msg);
  const graph = readModel(bytes, { source: 'split11.onnx' });
  const split = graph.nodes.find((n) => n.op === 'Split')!;
  assert.equal(split.inputs.length, 2);
  assert.ok(!('split' in split.attrs));
  const x = floatTensor([1, 4], [1, 2, 3, 4]);
  assert.deepEqual(Array.from((await runOrt(encodeModel(graph), { x })).y), [2, 3, 4, 1]);
  graph.inputs.push('v');
  graph.values.set('v', { dtype: 'float32', shape: [1, 4] });
  const dx = appendBackward(graph, { wrt: 'x', seeds: new Map([['y', 'v']]), rectifier: exactRectifier });
  graph.outputs = [dx];
  assert.deepEqual(Array.from(runGraph(graph, { x, v: floatTensor([1, 4], [10, 20, 30, 40]) })[dx].data), [40, 10, 20, 30]);
});

test('initializers in an external-data file are read beside the model; without a reader or a whole file, one error', () => {
  // x [1,3,8,8] → Mul by w [1,3,1,1] stored in weights.bin at offset 8 (after 8 bytes of other data).
  const graph = tinyGraph();
  const b = new GraphBuilder(graph);
  const weights = floatTensor([1, 3, 1, 1], [0.5, -2, 3.25]);
  graph.outputs = [b.op('Mul', [graph.outputs[0], b.constant(weights, 'w')])];
  const msg = toModelMessage(graph);
  const init = msg.graph!.initializer![0];
  const raw = init.raw_data!;
  delete init.raw_data;
  init.data_location = 1;
  init.external_data = [{ key: 'location', value: 'weights.bin' }, { key: 'offset', value: '8' }, { key: 'length', value: String(raw.length) }];
  const dir = mkdtempSync(join(tmpdir(), 'heatlens-onnx-'));
  try {
    const file = join(dir, 'external.onnx');
    writeFileSync(file, encodeMsg(msg));
    writeFileSync(join(dir, 'weights.bin'), Buffer.concat([Buffer.alloc(8, 7), Buffer.from(raw)]));
    const read = readModelFile(file);
    assert.deepEqual(Array.from(read.initializers.get(init.name!)!.data), [0.5, -2, 3.25]);
    const y = runGraph(read, { x: floatTensor([1, 3, 8, 8], new Float32Array(192).fill(1)) })[read.outputs[0]].data;
    assert.deepEqual([y[0], y[64], y[128]], [0.5, -2, 3.25]);
    // Bytes alone (a browser's fetch): the file is not guessed at.
    assert.throws(() => readModel(encodeMsg(msg), { source: 'external.onnx' }), (e) => assertOneLineError(e, /external\.onnx: initializer '.*': the tensor's data is in a separate file \(weights\.bin\); read the model with readModelFile/));
    writeFileSync(join(dir, 'weights.bin'), Buffer.alloc(10));
    assert.throws(() => readModelFile(file), (e) => assertOneLineError(e, /external data file weights\.bin is truncated/));
    rmSync(join(dir, 'weights.bin'));
    assert.throws(() => readModelFile(file), (e) => assertOneLineError(e, /cannot read external data file .*weights\.bin: no such file/));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
