/**
 * Every backward rule against float64 finite differences (the inner-product test):
 *   ⟨VJP(x, v), u⟩ = ⟨v, J u⟩ ≈ ⟨v, (f(x + εu) − f(x − εu)) / 2ε⟩,
 * evaluated by the reference interpreter in float64 (central differences, ε = 1e-5: truncation error
 * O(ε²) ≈ 1e-10 relative, rounding ≈ 1e-16/ε ≈ 1e-11), tolerance 1e-6 relative: the emitted graphs hold
 * float32 constants (e.g. 1/n of an average pool, rounded by up to 6e-8 relative); a wrong rule is off
 * by far more. The same backward graph
 * then runs in onnxruntime (float32) and must match the interpreter within 1e-4 relative.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { appendBackward } from '../src/grad/backward.js';
import type { GraphBuilder } from '../src/ir/builder.js';
import { attr, type Attrs, getInt, getInts, type Graph } from '../src/ir/graph.js';
import { floatTensor, numel, type Tensor } from '../src/ir/tensor.js';
import { runGraph } from '../src/interp/run.js';
import { exactRectifier } from '../src/methods/rectifiers.js';
import { graphOf } from './util/graphs.js';
import { backwardRuleCases, conv, type RuleCase, vjpGraphs } from './util/ruleCases.js';
import { relativeMaxError, runOnOrt } from './util/ort.js';
import { Random } from './util/random.js';

const f64 = (dims: readonly number[], data: Float64Array): Tensor => ({ dtype: 'float64', dims, data });

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

async function checkRule(c: RuleCase, seed = 1): Promise<void> {
  const rnd = new Random(seed);
  const { forward, vjp, y, yShape, grad } = vjpGraphs(c, rnd);

  const x = rnd.normals(numel(c.x), c.scale ?? 1);
  const v = rnd.normals(numel(yShape));
  const u = rnd.normals(numel(c.x));
  const gradValue = runGraph(vjp, { x: f64(c.x, x), v: f64(yShape, v) })[grad].data;
  const f = (shift: number) => {
    const xs = x.map((xi, i) => xi + shift * u[i]);
    return dot(runGraph(forward, { x: f64(c.x, xs) })[y].data, v);
  };
  const eps = 1e-5;
  const numeric = (f(eps) - f(-eps)) / (2 * eps);
  const analytic = dot(gradValue, u);
  const rel = Math.abs(analytic - numeric) / Math.max(Math.abs(numeric), 1e-12);
  assert.ok(rel < 1e-6, `${c.name}: ⟨VJP, u⟩ = ${analytic}, finite difference ${numeric}, relative error ${rel}`);

  // The emitted graph must mean the same in onnxruntime (float32 inputs, the interpreter rounding too).
  const x32 = Float32Array.from(x);
  const v32 = Float32Array.from(v);
  const reference = runGraph(vjp, { x: floatTensor(c.x, x32), v: floatTensor(yShape, v32) }, { precision: 'float32' })[grad].data;
  const ort = (await runOnOrt(vjp, { x: floatTensor(c.x, x32), v: floatTensor(yShape, v32) }))[grad];
  const ortErr = relativeMaxError(ort, reference);
  assert.ok(ortErr < 1e-4, `${c.name}: onnxruntime vs interpreter relative error ${ortErr}`);
}

describe('backward rules: finite differences in float64 and onnxruntime agreement', () => {
  for (const c of backwardRuleCases) test(c.name, () => checkRule(c));
});

/** Whether `value` is a 4-D tensor of `g` (a full activation, not a broadcast constant). */
function isSpatialActivation(g: Graph, value: string): boolean {
  const shape = g.values.get(value)?.shape;
  return shape?.length === 4 && shape[2] > 1;
}

/** The graph `build` makes from x, with its exact backward pass from a seed input 'v' appended after `forwardNodes` nodes. */
function withBackward(x: number[], build: (b: GraphBuilder, input: string) => string): { g: Graph; forwardNodes: number } {
  const g = graphOf(x, build);
  const forwardNodes = g.nodes.length;
  g.inputs.push('v');
  g.values.set('v', { dtype: 'float32', shape: g.values.get(g.outputs[0])!.shape });
  appendBackward(g, { wrt: 'x', seeds: new Map([[g.outputs[0], 'v']]), rectifier: exactRectifier });
  return { g, forwardNodes };
}

/**
 * The op types of the backward graph of y = build(x) over an input of shape `x` (a MaxPool that also
 * outputs its Indices as 'MaxPool+Indices').
 */
function backwardOpTypes(x: number[], build: (b: GraphBuilder, input: string) => string): string[] {
  const { g, forwardNodes } = withBackward(x, build);
  return g.nodes.slice(forwardNodes).map((n) => (n.op === 'MaxPool' && n.outputs.length > 1 ? 'MaxPool+Indices' : n.op));
}

describe('MaxPool routing forms', () => {
  const backwardOps = (x: number[], attrs: Attrs) => backwardOpTypes(x, (b, input) => b.op('MaxPool', [input], attrs));
  test('windows that tile the input take the phase form: no recomputed Indices, no unpooling', () => {
    for (const [x, k] of [[[1, 16, 8, 8], [2, 2]], [[2, 3, 9, 6], [3, 2]]] as const) {
      const ops = backwardOps([...x], { kernel_shape: attr.ints([...k]), strides: attr.ints([...k]) });
      assert.ok(!ops.includes('MaxPool+Indices') && !ops.includes('MaxUnpool') && !ops.includes('ScatterElements') && ops.includes('Resize'), `[${x}] ${k}: ${ops.join(' ')}`);
    }
  });
  test('the phase form adds nothing to a forward activation directly (each sum can fuse into a Conv)', () => {
    const { g, forwardNodes } = withBackward([1, 16, 8, 8], (b, input) => b.op('MaxPool', [b.op('Relu', [input])], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }));
    const forward = new Set(['x', ...g.nodes.slice(0, forwardNodes).flatMap((n) => n.outputs)]);
    const producer = new Map(g.nodes.flatMap((n) => n.outputs.map((o) => [o, n.op] as const)));
    const adds = g.nodes.slice(forwardNodes).filter((n) => n.op === 'Add' && n.inputs.every((i) => isSpatialActivation(g, i)));
    assert.ok(adds.length >= 2, 'the gap and the keep sums');
    for (const add of adds) {
      assert.ok(add.inputs.every((i) => !forward.has(i)), `Add ${add.name} reads a forward value: ${add.inputs.join(', ')}`);
      assert.ok(add.inputs.some((i) => producer.get(i) === 'Conv'), `Add ${add.name}: no Conv operand to fuse into`);
    }
  });
  test('a remainder, padding, ceil mode or overlap keeps the Indices forms', () => {
    const cases: [number[], Attrs, string][] = [
      [[1, 2, 7, 6], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }, 'MaxUnpool'],
      [[1, 2, 5, 5], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 0, 0]) }, 'ScatterElements'],
      [[1, 2, 7, 7], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]), ceil_mode: attr.int(1) }, 'ScatterElements'],
      [[1, 2, 8, 8], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]) }, 'ScatterElements'],
    ];
    for (const [x, attrs, form] of cases) {
      const ops = backwardOps(x, attrs);
      assert.ok(ops.includes('MaxPool+Indices') && ops.includes(form) && !ops.includes('Resize'), `[${x}]: ${ops.join(' ')}`);
    }
  });
});

describe('Conv adjoint forms', () => {
  const backwardOps = (x: number[], w: number[], attrs: Parameters<typeof conv>[0]) =>
    backwardOpTypes(x, (b, input) => conv(attrs, w)(b, input, new Random(1)));
  const pad1 = { pads: attr.ints([1, 1, 1, 1]) };
  test('an RGB input layer at even size takes the polyphase form: a stride-2 Conv to 4C phases, a 2×2/2 ConvTranspose per channel', () => {
    const { g, forwardNodes } = withBackward([1, 3, 8, 8], (b, input) => conv(pad1, [16, 3, 3, 3])(b, input, new Random(1)));
    const added = g.nodes.slice(forwardNodes);
    const convs = added.filter((n) => n.op === 'Conv');
    assert.equal(convs.length, 1, added.map((n) => n.op).join(' '));
    assert.deepEqual(getInts(convs[0], 'strides', []), [2, 2]);
    assert.deepEqual(g.values.get(convs[0].outputs[0])!.shape, [1, 12, 4, 4]);
    const interleave = added.filter((n) => n.op === 'ConvTranspose');
    assert.equal(interleave.length, 1);
    assert.deepEqual([getInt(interleave[0], 'group', 1), ...getInts(interleave[0], 'kernel_shape', []), ...getInts(interleave[0], 'strides', [])], [3, 2, 2, 2, 2]);
    assert.ok(!added.some((n) => n.op === 'DepthToSpace'));
  });
  test('a strided depthwise Conv spreads the gradient with a 1×1 ConvTranspose, then a flipped depthwise Conv', () => {
    for (const [x, attrs] of [
      [[1, 4, 8, 8], { strides: attr.ints([2, 2]), pads: attr.ints([0, 0, 1, 1]) }],
      [[1, 4, 7, 7], { strides: attr.ints([2, 2]), ...pad1 }],
      [[1, 4, 8, 8], { strides: attr.ints([2, 2]) }],
      [[1, 4, 11, 10], { strides: attr.ints([3, 2]), dilations: attr.ints([2, 2]), pads: attr.ints([2, 2, 2, 2]) }],
    ] as const) {
      const { g, forwardNodes } = withBackward([...x], (b, input) => conv({ ...attrs, group: attr.int(4) }, [4, 1, 3, 3])(b, input, new Random(1)));
      const added = g.nodes.slice(forwardNodes);
      const transposed = added.filter((n) => n.op === 'ConvTranspose');
      assert.equal(transposed.length, 1, added.map((n) => n.op).join(' '));
      assert.deepEqual(getInts(transposed[0], 'kernel_shape', []), [1, 1], 'the ConvTranspose only spreads dY onto the input grid');
      assert.ok(added.some((n) => n.op === 'Conv' && getInt(n, 'group', 1) === 4 && getInts(n, 'kernel_shape', []).join() === '3,3'), 'a 3×3 depthwise Conv');
    }
  });
  test('AveragePool backward: a depthwise Conv of all ones, after a 1×1 spreading ConvTranspose when strided', () => {
    for (const [x, attrs, spreads] of [
      [[1, 4, 6, 6], { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) }, 0],
      [[1, 4, 7, 7], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]) }, 1],
      [[1, 4, 6, 6], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]), ceil_mode: attr.int(1) }, 1],
    ] as const) {
      const { g, forwardNodes } = withBackward([...x], (b, input) => b.op('AveragePool', [input], attrs));
      const added = g.nodes.slice(forwardNodes);
      const transposed = added.filter((n) => n.op === 'ConvTranspose');
      assert.equal(transposed.length, spreads, added.map((n) => n.op).join(' '));
      for (const t of transposed) assert.deepEqual(getInts(t, 'kernel_shape', []), [1, 1]);
      assert.ok(added.some((n) => n.op === 'Conv' && getInt(n, 'group', 1) === 4), 'a depthwise Conv');
    }
  });
  test('AveragePool backward of windows that tile the input: a nearest Resize, no ConvTranspose', () => {
    const ops = backwardOpTypes([1, 4, 8, 6], (b, input) => b.op('AveragePool', [input], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }));
    assert.ok(ops.includes('Resize') && !ops.includes('ConvTranspose'), ops.join(' '));
  });
  test('a strided dense Conv keeps its ConvTranspose', () => {
    const ops = backwardOps([1, 4, 8, 8], [8, 4, 3, 3], { strides: attr.ints([2, 2]), ...pad1 });
    assert.deepEqual(ops.filter((op) => op.startsWith('Conv')), ['ConvTranspose'], ops.join(' '));
  });
  test('with a multiple of 16 channels, that ConvTranspose is followed by an identity depthwise 1×1 Conv (back into NCHWc)', () => {
    const { g, forwardNodes } = withBackward([1, 16, 8, 8], (b, input) => conv({ strides: attr.ints([2, 2]), ...pad1 }, [32, 16, 3, 3])(b, input, new Random(1)));
    const added = g.nodes.slice(forwardNodes);
    const transposed = added.filter((n) => n.op === 'ConvTranspose');
    assert.equal(transposed.length, 1, added.map((n) => n.op).join(' '));
    const identity = added.filter((n) => n.op === 'Conv' && n.inputs[0] === transposed[0].outputs[0]);
    assert.equal(identity.length, 1, 'one Conv reads the ConvTranspose');
    assert.equal(getInt(identity[0], 'group', 1), 16);
    assert.deepEqual(getInts(identity[0], 'kernel_shape', []), [1, 1]);
    assert.equal(identity[0].inputs.length, 2, 'no bias');
    const weight = g.initializers.get(identity[0].inputs[1])!;
    assert.deepEqual(weight.dims, [16, 1, 1, 1]);
    assert.ok(Array.from(weight.data as Float32Array).every((v) => v === 1), 'weight 1: the identity');
  });
  test('odd sizes, many channels, groups and dilations keep the flipped-weight Conv', () => {
    for (const [x, w, attrs] of [
      [[1, 3, 7, 8], [16, 3, 3, 3], pad1],
      [[1, 8, 8, 8], [16, 8, 3, 3], pad1],
      [[1, 4, 8, 8], [4, 2, 3, 3], { ...pad1, group: attr.int(2) }],
      [[1, 3, 8, 8], [4, 3, 3, 3], { pads: attr.ints([2, 2, 2, 2]), dilations: attr.ints([2, 2]) }],
    ] as const) {
      const ops = backwardOps([...x], [...w], attrs);
      assert.ok(!ops.includes('ConvTranspose') && ops.includes('Conv'), `[${x}] [${w}]: ${ops.join(' ')}`);
    }
  });
});
