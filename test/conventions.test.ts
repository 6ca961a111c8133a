/**
 * Conventions at kinks and ties, pinned with hand-computed values, in the reference interpreter and in
 * onnxruntime alike:
 * - MaxPool routes a window's gradient to its FIRST maximum in row-major order (PyTorch CPU, and
 *   onnxruntime's Indices), in the phase form (windows tiling the input) and both Indices forms
 *   (MaxUnpool for non-overlapping windows with a remainder, scatter for overlapping ones);
 * - Relu and ReLU6 have derivative 0 at their kinks, LeakyRelu has α at 0;
 * - HardSigmoid is 0 at both kinks, HardSwish takes the middle slope x/3 + 1/2 at ±3 (PyTorch's
 *   hardsigmoid_backward / hardswish_backward);
 * - the rectifier rules of the methods (exact, guided, deconv) on one Relu.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appendBackward } from '../src/grad/backward.js';
import type { RectifierRule } from '../src/grad/types.js';
import { attr, cloneGraph } from '../src/ir/graph.js';
import { floatTensor } from '../src/ir/tensor.js';
import { runGraph } from '../src/interp/run.js';
import { deconvRectifier, exactRectifier, guidedRectifier } from '../src/methods/rectifiers.js';
import type { GraphBuilder } from '../src/ir/builder.js';
import { graphOf } from './util/graphs.js';
import { runOnOrt } from './util/ort.js';

/** dL/dx for y = build(x) and seed dL/dy = v, from the interpreter and from onnxruntime. */
async function vjpBoth(xShape: number[], x: number[], v: number[], build: (b: GraphBuilder, x: string) => string, rule: RectifierRule = exactRectifier) {
  const g = graphOf(xShape, build);
  const y = g.outputs[0];
  const vjp = cloneGraph(g);
  vjp.inputs.push('v');
  vjp.values.set('v', { dtype: 'float32', shape: g.values.get(y)!.shape });
  const grad = appendBackward(vjp, { wrt: 'x', seeds: new Map([[y, 'v']]), rectifier: rule });
  vjp.outputs = [grad];
  const feeds = { x: floatTensor(xShape, x), v: floatTensor(g.values.get(y)!.shape, v) };
  const interp = Array.from(runGraph(vjp, feeds)[grad].data);
  const ort = Array.from((await runOnOrt(vjp, feeds))[grad]);
  return { interp, ort };
}

test('MaxPool 2×2/2 ties go to the first maximum in row-major order (phase form)', async () => {
  // Window 1: all equal (ReLU zeros) → top-left. Window 2: max 5 at (0,1) and (1,0) → (0,1).
  const x = [0, 0, 1, 5,
    0, 0, 5, 2];
  const { interp, ort } = await vjpBoth([1, 1, 2, 4], x, [10, 20],
    (b, i) => b.op('MaxPool', [i], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }));
  const expected = [10, 0, 0, 20,
    0, 0, 0, 0];
  assert.deepEqual(interp, expected);
  assert.deepEqual(ort, expected);
});

test('MaxPool 2×2/2 over a size that leaves a remainder: ties to the first maximum (Indices + MaxUnpool form)', async () => {
  // 1×1×3×4: the last row is in no window (floor mode), so the phase form does not apply.
  const x = [0, 0, 1, 5,
    0, 0, 5, 2,
    9, 9, 9, 9];
  const { interp, ort } = await vjpBoth([1, 1, 3, 4], x, [10, 20],
    (b, i) => b.op('MaxPool', [i], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }));
  const expected = [10, 0, 0, 20,
    0, 0, 0, 0,
    0, 0, 0, 0];
  assert.deepEqual(interp.map((z) => z + 0), expected);
  assert.deepEqual(ort.map((z) => z + 0), expected);
});

test('MaxPool 3×3/3 ties go to the first maximum (phase form, nine places per window)', async () => {
  // Window 1 (columns 0–2): 7 at places 4 and 8 → place 4 (row 1, column 1). Window 2 (columns 3–5):
  // all equal → place 0. Window 3 (columns 6–8): 2 at places 2, 3 and 7 → place 2 (row 0, column 8).
  const x = [1, 0, 0, 3, 3, 3, -1, -1, 2,
    0, 7, 6, 3, 3, 3, 2, 0, 0,
    1, 1, 7, 3, 3, 3, 0, 2, 1];
  const { interp, ort } = await vjpBoth([1, 1, 3, 9], x, [10, 20, 30],
    (b, i) => b.op('MaxPool', [i], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([3, 3]) }));
  const expected = new Array(27).fill(0);
  expected[10] = 10;
  expected[3] = 20;
  expected[8] = 30;
  assert.deepEqual(interp.map((z) => z + 0), expected);
  assert.deepEqual(ort.map((z) => z + 0), expected);
});

test('MaxPool 3×3/2 overlapping windows: ties to the first maximum, shared maxima accumulate', async () => {
  // 1×1×3×5, pad 0: windows at columns 0–2 and 2–4 share column 2. All-equal input: each window
  // sends its gradient to its own first position (0,0) and (0,2).
  const x = new Array(15).fill(1);
  const { interp, ort } = await vjpBoth([1, 1, 3, 5], x, [3, 4],
    (b, i) => b.op('MaxPool', [i], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]) }));
  const expected = new Array(15).fill(0);
  expected[0] = 3;
  expected[2] = 4;
  assert.deepEqual(interp, expected);
  assert.deepEqual(ort, expected);
  // A single maximum inside the overlap collects both windows' gradients (ScatterElements 'add').
  const peak = new Array(15).fill(0);
  peak[7] = 9; // row 1, column 2
  const shared = await vjpBoth([1, 1, 3, 5], peak, [3, 4],
    (b, i) => b.op('MaxPool', [i], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]) }));
  const sum = new Array(15).fill(0);
  sum[7] = 7;
  assert.deepEqual(shared.interp, sum);
  assert.deepEqual(shared.ort, sum);
});

test('Relu derivative is 0 at 0; LeakyRelu uses α at 0; ReLU6 is 0 at both kinks (1-D, and 4-D where masks are convolutions)', async () => {
  const x = [-1, 0, 0.5, 6, 7];
  const v = [1, 1, 1, 1, 1];
  // 4-D: 16 channels of the same values, the layout in which the masks run as fused NCHWc convolutions.
  const shapes: [number[], number][] = [[[5], 1], [[1, 16, 1, 5], 16]];
  for (const [shape, copies] of shapes) {
    const tile = (a: number[]) => Array.from({ length: copies }, () => a).flat();
    const relu = await vjpBoth(shape, tile(x), tile(v), (b, i) => b.op('Relu', [i]));
    assert.deepEqual(relu.interp, tile([0, 0, 1, 1, 1]));
    assert.deepEqual(relu.ort, tile([0, 0, 1, 1, 1]));
    const leaky = await vjpBoth(shape, tile(x), tile(v), (b, i) => b.op('LeakyRelu', [i], { alpha: attr.float(0.25) }));
    assert.deepEqual(leaky.interp, tile([0.25, 0.25, 1, 1, 1]));
    assert.deepEqual(leaky.ort, tile([0.25, 0.25, 1, 1, 1]));
    const relu6 = await vjpBoth(shape, tile(x), tile(v), (b, i) => b.op('Clip', [i, b.scalar(0), b.scalar(6)]));
    assert.deepEqual(relu6.interp, tile([0, 0, 1, 0, 0]));
    assert.deepEqual(relu6.ort, tile([0, 0, 1, 0, 0]));
  }
});

test('HardSigmoid is 0 at both kinks; HardSwish is −1/2 at −3 and 3/2 at 3 (PyTorch 1.13 autograd)', async () => {
  // torch.nn.functional.hardsigmoid / hardswish backward at x = −4, −3, −1.5, 0, 3, 4 (float64 autograd;
  // hardsigmoid's slope is float32(1/6) in PyTorch as in the ONNX export's alpha).
  const x = [-4, -3, -1.5, 0, 3, 4];
  const v = [1, 1, 1, 1, 1, 1];
  const sixth = Math.fround(1 / 6);
  const hsig = await vjpBoth([6], x, v, (b, i) => b.op('HardSigmoid', [i], { alpha: attr.float(sixth), beta: attr.float(0.5) }));
  const expectedSig = [0, 0, sixth, sixth, 0, 0];
  assert.deepEqual(hsig.interp, expectedSig);
  assert.deepEqual(hsig.ort, expectedSig);
  const hswish = await vjpBoth([6], x, v, (b, i) => b.op('HardSwish', [i]));
  const expectedSwish = [0, -0.5, 0, 0.5, 1.5, 1];
  assert.deepEqual(hswish.interp.map((z) => z + 0), expectedSwish);
  assert.deepEqual(hswish.ort.map((z) => z + 0), expectedSwish);
});

test('rectifier rules: exact R·1[f>0], guided ReLU(R)·1[f>0], deconv ReLU(R)', async () => {
  const x = [-2, -1, 1, 2];
  const v = [3, -3, 3, -3];
  const build = (b: GraphBuilder, i: string) => b.op('Relu', [i]);
  const cases: [RectifierRule, number[]][] = [
    [exactRectifier, [0, 0, 3, -3]],
    [guidedRectifier, [0, 0, 3, 0]],
    [deconvRectifier, [3, 0, 3, 0]],
  ];
  for (const [rule, expected] of cases) {
    const { interp, ort } = await vjpBoth([4], x, v, build, rule);
    assert.deepEqual(interp.map((z) => z + 0), expected);
    assert.deepEqual(ort.map((z) => z + 0), expected);
  }
});

test('rectifier → MaxPool fusion equals the unfused composition for every rectifier rule', async () => {
  // Relu zeros tie inside windows; a 1×1×4×4 map with negative, zero and positive windows.
  const x = [-1, -2, 0, 3, -3, -1, 3, 1, 2, 2, -5, -6, 1, 2, -7, -8];
  const v = [1, -2, 3, -4];
  const pool = { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) };
  for (const [name, rule] of [['exact', exactRectifier], ['guided', guidedRectifier], ['deconv', deconvRectifier]] as const) {
    for (const act of ['Relu', 'LeakyRelu'] as const) {
      const fused = await vjpBoth([1, 1, 4, 4], x, v, (b, i) => b.op('MaxPool', [b.op(act, [i])], pool), rule);
      // An Identity between the two breaks the pattern: the engine runs both rules in sequence.
      const plain = await vjpBoth([1, 1, 4, 4], x, v, (b, i) => b.op('MaxPool', [b.op('Identity', [b.op(act, [i])])], pool), rule);
      // Equal as numbers (a routed zero may carry either sign, depending on the order of the products).
      const number = (z: number) => z + 0;
      assert.deepEqual(fused.interp.map(number), plain.interp.map(number), `${act} ${name}: interpreter`);
      assert.deepEqual(fused.ort.map(number), plain.ort.map(number), `${act} ${name}: onnxruntime`);
    }
  }
});

test('overlapping max-pool windows after a rectifier: the guided and deconv rules see the summed gradient', async () => {
  // 1×1×1×5, windows [0..2] and [2..4] (3/2): both pick position 2 (value 9); seeds +3 and −5 sum to −2,
  // so guided and deconv give ReLU(−2) = 0 there (a per-window rule would give 3).
  const x = [1, 2, 9, 3, 4];
  const build = (b: GraphBuilder, i: string) => b.op('MaxPool', [b.op('Relu', [i])], { kernel_shape: attr.ints([1, 3]), strides: attr.ints([1, 2]) });
  for (const rule of [guidedRectifier, deconvRectifier]) {
    const { interp, ort } = await vjpBoth([1, 1, 1, 5], x, [3, -5], build, rule);
    assert.deepEqual(interp.map((z) => z + 0), [0, 0, 0, 0, 0]);
    assert.deepEqual(ort.map((z) => z + 0), [0, 0, 0, 0, 0]);
  }
});
