/**
 * Integrated Gradients and SmoothGrad: Captum's points and weights (numpy reference), the non-uniform
 * allocation's invariants, completeness where IG is exact, chunking, baselines, errors, and the
 * SmoothGrad family's reductions.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { HeatlensError } from '../src/errors.js';
import type { GraphBuilder } from '../src/ir/builder.js';
import { attr, type Graph } from '../src/ir/graph.js';
import { makeTensor } from '../src/ir/tensor.js';
import { makeBaseline } from '../src/methods/integration/baselines.js';
import { allocateSteps, largestRemainder, nonUniformQuadrature } from '../src/methods/integration/nonUniform.js';
import { type Quadrature, type UniformScheme, uniformQuadrature } from '../src/methods/integration/quadrature.js';
import { REFINEMENTS, refinedRule } from '../src/methods/integration/refine.js';
import { chunkSize, integratedGradients, runIntegratedGradients } from '../src/methods/integratedGradients.js';
import { graphMethodByName } from '../src/methods/index.js';
import { smoothed } from '../src/methods/smoothgrad.js';
import type { DriverContext } from '../src/methods/types.js';
import { encodeModel } from '../src/onnx/write.js';
import { graphOf, randomConstant } from './util/graphs.js';
import { relativeMaxError } from './util/ort.js';
import { Random } from './util/random.js';

const fixture = JSON.parse(readFileSync(fileURLToPath(new URL('../../test/fixtures/quadrature.json', import.meta.url)), 'utf8')) as {
  cases: { scheme: UniformScheme; steps: number; alphas: number[]; weights: number[] }[];
};

describe('uniform schemes place and weight points exactly as Captum', () => {
  for (const c of fixture.cases) {
    test(`${c.scheme}, ${c.steps} steps`, () => {
      const q = uniformQuadrature(c.scheme, c.steps);
      assert.equal(q.alphas.length, c.steps);
      for (let i = 0; i < c.steps; i++) {
        assert.ok(Math.abs(q.alphas[i] - c.alphas[i]) < 1e-12, `α[${i}] = ${q.alphas[i]}, numpy ${c.alphas[i]}`);
        assert.ok(Math.abs(q.weights[i] - c.weights[i]) < 1e-12, `Δ[${i}] = ${q.weights[i]}, numpy ${c.weights[i]}`);
      }
    });
  }
  test('steps < 1 and a 1-step trapezoid are refused', () => {
    assert.throws(() => uniformQuadrature('left', 0), /steps must be an integer ≥ 1/);
    assert.throws(() => uniformQuadrature('trapezoid', 1), /at least 2 steps/);
  });
});

describe('non-uniform allocation', () => {
  test('largest remainder: sums to m, honours the minimum, rounds by remainder', () => {
    assert.deepEqual(largestRemainder([0.5, 0.3, 0.2], 10, 0), [5, 3, 2]);
    assert.deepEqual(largestRemainder([0.45, 0.45, 0.1], 5, 0), [2, 2, 1]);
    assert.deepEqual(largestRemainder([0.9, 0.05, 0.05], 6, 1), [4, 1, 1]);
  });
  test('steps follow the score change, every segment gets one when m ≥ N, weights sum to 1', () => {
    const pilot = [0, 0.1, 0.2, 5, 5.1]; // segment 2 holds almost all the change
    const { perSegment } = allocateSteps(pilot, 20);
    assert.equal(perSegment.reduce((a, c) => a + c, 0), 20);
    assert.ok(perSegment.every((c) => c >= 1));
    assert.equal(Math.max(...perSegment), perSegment[2]);
    const q = nonUniformQuadrature(pilot, 20);
    assert.equal(q.alphas.length, 20);
    assert.ok(Math.abs(q.weights.reduce((a, c) => a + c, 0) - 1) < 1e-12);
    // Points are segment midpoints: segment 2 is [0.5, 0.75).
    const inSegment2 = [...q.alphas].filter((a) => a >= 0.5 && a < 0.75);
    assert.equal(inSegment2.length, perSegment[2]);
  });
  test('fewer steps than segments: groups of about equal change, one midpoint each, weights sum to 1', () => {
    const pilot = [0, 0, 0, 0, 0, 4, 8, 8, 8]; // the change sits in segments 4 and 5 of 8
    const q = nonUniformQuadrature(pilot, 3);
    assert.equal(q.alphas.length, 3);
    assert.ok(Math.abs(q.weights.reduce((a, c) => a + c, 0) - 1) < 1e-12);
    // Consecutive groups tile [0, 1]: each midpoint ± half its width meets the next.
    let start = 0;
    for (let g = 0; g < 3; g++) {
      assert.ok(Math.abs(q.alphas[g] - q.weights[g] / 2 - start) < 1e-12);
      start += q.weights[g];
    }
    // The steep part gets the narrowest groups.
    assert.ok(q.weights[1] <= q.weights[0] && q.weights[1] <= q.weights[2]);
    const one = nonUniformQuadrature(pilot, 1);
    assert.deepEqual([...one.alphas, ...one.weights], [0.5, 1]);
  });
  test('a flat pilot spreads steps evenly', () => {
    assert.deepEqual(allocateSteps([1, 1, 1, 1, 1], 8).perSegment, [2, 2, 2, 2]);
  });
});

/** A driver context over a graph family: `build` makes the model for a batch of m. */
function contextFor(build: (m: number) => Graph, input: Float32Array, dims: number[], options: DriverContext['options'], target = -1): DriverContext {
  const cache = new Map<number, Graph>();
  return {
    model: (m) => cache.get(m) ?? (cache.set(m, build(m)), cache.get(m)!),
    input, dims, target, options, threads: 1,
  };
}

const LINEAR_W = (() => {
  const rnd = new Random(3);
  return Float32Array.from(rnd.normals(4 * 48));
})();

/** y = W·flatten(x) + b: IG is exact for it, Σ IG = y(x) − y(x'). */
const linearModel = (m: number) => graphOf([m, 3, 4, 4], (b, x) =>
  b.op('Gemm', [b.op('Flatten', [x]), b.constant(makeTensor('float32', [4, 48], LINEAR_W)), b.constant(makeTensor('float32', [4], [0.1, 0.2, 0.3, 0.4]))], { transB: attr.int(1) }));

/** A small non-linear CNN. */
const cnn = (m: number) => {
  const rnd = new Random(8);
  return graphOf([m, 3, 8, 8], (b: GraphBuilder, x) => {
    const h = b.op('Relu', [b.op('Conv', [x, randomConstant(b, rnd, [6, 3, 3, 3], 0.5), randomConstant(b, rnd, [6], 0.1)], { pads: attr.ints([1, 1, 1, 1]) })]);
    const p = b.op('MaxPool', [h], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) });
    return b.op('Gemm', [b.op('Flatten', [b.op('GlobalAveragePool', [p])]), randomConstant(b, rnd, [5, 6])], { transB: attr.int(1) });
  });
};

describe('Integrated Gradients', () => {
  const input = Float32Array.from(new Random(4).normals(48));
  test('exact on a linear model: IG = (x − x′) ⊙ W_c and completeness holds', async () => {
    for (const scheme of ['left', 'middle', 'gausslegendre', 'nonuniform']) {
      const run = await runIntegratedGradients(contextFor(linearModel, input, [1, 3, 4, 4], { steps: 7, scheme, maxBatch: 4, pilotSteps: 4 }, 2));
      assert.equal(run.target, 2);
      for (let i = 0; i < 48; i++) {
        assert.ok(Math.abs(run.attribution[i] - input[i] * LINEAR_W[2 * 48 + i]) < 1e-5, `${scheme}: IG[${i}]`);
      }
      assert.ok(run.relativeDelta < 1e-5, `${scheme}: relative δ ${run.relativeDelta}`);
    }
  });
  test('chunking under --max-batch does not change the result', async () => {
    const dims = [1, 3, 8, 8];
    const x = Float32Array.from(new Random(6).normals(192));
    const whole = await runIntegratedGradients(contextFor(cnn, x, dims, { steps: 10, scheme: 'gausslegendre', maxBatch: 64 }));
    const chunked = await runIntegratedGradients(contextFor(cnn, x, dims, { steps: 10, scheme: 'gausslegendre', maxBatch: 3 }));
    assert.ok(relativeMaxError(chunked.attribution, whole.attribution) < 1e-5);
    assert.equal(chunked.gradientEvaluations, 12, 'four chunks of three, the last padded');
    // Equal chunks: 10 points under --max-batch 8 run as 2 × 5 (not 8 + 8 with 6 padding points).
    const balanced = await runIntegratedGradients(contextFor(cnn, x, dims, { steps: 10, scheme: 'gausslegendre', maxBatch: 8 }));
    assert.ok(relativeMaxError(balanced.attribution, whole.attribution) < 1e-5);
    assert.equal(balanced.gradientEvaluations, 10);
    assert.deepEqual([[96, 64], [10, 3], [7, 64], [65, 64], [1, 1]].map(([n, b]) => chunkSize(n, b)), [48, 3, 7, 33, 1]);
  });
  test('more steps converge; --target-delta adds steps until it is met', async () => {
    const dims = [1, 3, 8, 8];
    const x = Float32Array.from(new Random(7).normals(192));
    const reference = await runIntegratedGradients(contextFor(cnn, x, dims, { steps: 256, scheme: 'gausslegendre', maxBatch: 64 }));
    for (const scheme of ['left', 'nonuniform']) {
      const run = await runIntegratedGradients(contextFor(cnn, x, dims, { steps: 128, scheme, maxBatch: 64 }));
      assert.ok(relativeMaxError(run.attribution, reference.attribution) < 0.05, `${scheme} at 128 steps vs Gauss–Legendre at 256`);
    }
    const adaptive = await runIntegratedGradients(contextFor(cnn, x, dims, { steps: 2, scheme: 'left', maxBatch: 64, targetDelta: 0.01 }));
    assert.ok(adaptive.relativeDelta <= 0.01, `δ ${adaptive.relativeDelta}`);
    assert.ok(adaptive.history.length > 1 && adaptive.history.every((h, i, all) => i === 0 || h.steps > all[i - 1].steps));
    assert.equal(adaptive.targetReached, true);
    assert.ok(adaptive.history.slice(0, -1).every((h) => h.relativeDelta > 0.01), 'it stops at the first run that meets the target');
    // A target out of reach within --max-steps: the last run is the one at --max-steps, reported as not reached.
    const capped = await runIntegratedGradients(contextFor(cnn, x, dims, { steps: 2, scheme: 'left', maxBatch: 64, targetDelta: 1e-9, maxSteps: 10 }));
    assert.deepEqual(capped.history.map((h) => h.steps), [2, 4, 8, 10], 'left doubles (nested); the last round is a fresh run at --max-steps');
    assert.equal(capped.steps, 10);
    assert.equal(capped.targetReached, false);
    assert.ok(capped.relativeDelta > 1e-9);
    const plain = await runIntegratedGradients(contextFor(cnn, x, dims, { steps: 2, scheme: 'left', maxBatch: 64 }));
    assert.equal(plain.targetReached, undefined, 'no target, no verdict');
  });
  test('--target-delta rounds reuse the points so far: the same attribution as a fresh run, only new points evaluated', async () => {
    const dims = [1, 3, 8, 8];
    const x = Float32Array.from(new Random(8).normals(192));
    const rounds: Record<string, number[]> = { left: [2, 4, 8], right: [2, 4, 8], trapezoid: [2, 3, 5, 9], middle: [2, 6, 18], gausslegendre: [2, 3, 5, 8] };
    for (const [scheme, expected] of Object.entries(rounds)) {
      const last = expected[expected.length - 1];
      const adaptive = await runIntegratedGradients(contextFor(cnn, x, dims, { steps: 2, scheme, maxBatch: 64, targetDelta: 1e-9, maxSteps: last }));
      assert.deepEqual(adaptive.history.map((h) => h.steps), expected, scheme);
      const fresh = await runIntegratedGradients(contextFor(cnn, x, dims, { steps: last, scheme, maxBatch: 64 }));
      assert.ok(relativeMaxError(adaptive.attribution, fresh.attribution) < 1e-5, `${scheme}: adaptive at ${last} steps vs a fresh run`);
      assert.ok(Math.abs(adaptive.relativeDelta - fresh.relativeDelta) < 1e-5, `${scheme}: δ ${adaptive.relativeDelta} vs ${fresh.relativeDelta}`);
      // Nested rounds evaluate each point once; Gauss–Legendre starts afresh every round.
      const evaluations = scheme === 'gausslegendre' ? expected.reduce((a, c) => a + c, 0) : last;
      assert.equal(adaptive.gradientEvaluations, evaluations, `${scheme}: gradient evaluations`);
    }
  });
  test('nested refinement: the finer rule is the scheme\'s own rule at the new step count', () => {
    const sorted = (q: Quadrature) => [...q.alphas].map((a, k) => [a, q.weights[k]]).sort((p, r) => p[0] - r[0]);
    for (const scheme of ['left', 'right', 'trapezoid', 'middle'] as const) {
      for (const m of [2, 3, 7]) {
        const current = uniformQuadrature(scheme, m);
        const refinement = REFINEMENTS[scheme]!(current);
        const expected = sorted(uniformQuadrature(scheme, refinement.steps));
        const got = sorted(refinedRule(current, refinement));
        assert.equal(got.length, expected.length, `${scheme} ${m}`);
        got.forEach(([a, w], i) => {
          assert.ok(Math.abs(a - expected[i][0]) < 1e-12 && Math.abs(w - expected[i][1]) < 1e-12, `${scheme} ${m} → ${refinement.steps}: point ${i}`);
        });
      }
    }
    // The non-uniform rule: every point stays the midpoint of its own third, weights still sum to 1.
    const q = nonUniformQuadrature([0, 0.1, 0.2, 5, 5.1], 6);
    const { steps, keep, added } = REFINEMENTS.nonuniform!(q);
    assert.equal(steps, 18);
    assert.equal(keep, 1 / 3);
    const total = refinedRule(q, { steps, keep, added }).weights.reduce((a, w) => a + w, 0);
    assert.ok(Math.abs(total - 1) < 1e-12);
    for (let k = 0; k < q.alphas.length; k++) {
      assert.ok(Math.abs(added.alphas[2 * k] - (q.alphas[k] - q.weights[k] / 3)) < 1e-15);
      assert.ok(Math.abs(added.alphas[2 * k + 1] - (q.alphas[k] + q.weights[k] / 3)) < 1e-15);
    }
  });
  test('the standalone graph (points baked in) equals the driver', async () => {
    const x = Float32Array.from(new Random(9).normals(192));
    const run = await runIntegratedGradients(contextFor(cnn, x, [1, 3, 8, 8], { steps: 6, scheme: 'middle', maxBatch: 64 }, 1));
    const { graph } = integratedGradients.standalone(cnn, { steps: 6, scheme: 'middle' });
    const session = await ort.InferenceSession.create(encodeModel(graph), { logSeverityLevel: 3 });
    const out = await session.run({
      x: new ort.Tensor('float32', x, [1, 3, 8, 8]),
      baseline: new ort.Tensor('float32', new Float32Array(192), [1, 3, 8, 8]),
      target_class: new ort.Tensor('int64', BigInt64Array.from([1n]), [1]),
    });
    assert.ok(relativeMaxError(out.attribution.data as Float32Array, run.attribution) < 1e-5);
    assert.throws(() => integratedGradients.standalone(cnn, { steps: 6, scheme: 'nonuniform' }), HeatlensError);
  });
  test('bad options: steps < 1, an unknown scheme, a target δ ≤ 0', async () => {
    const x = new Float32Array(192);
    await assert.rejects(runIntegratedGradients(contextFor(cnn, x, [1, 3, 8, 8], { steps: 0 })), /--steps must be an integer ≥ 1/);
    await assert.rejects(runIntegratedGradients(contextFor(cnn, x, [1, 3, 8, 8], { scheme: 'simpson' })), /unknown IG scheme 'simpson'/);
    for (const targetDelta of [0, -0.1, Number.NaN]) {
      await assert.rejects(runIntegratedGradients(contextFor(cnn, x, [1, 3, 8, 8], { targetDelta })), /--target-delta must be a number > 0/);
    }
  });
});

describe('IG baselines', () => {
  const dims = [1, 3, 4, 4];
  const x = Float32Array.from({ length: 48 }, (_, i) => i / 10);
  const preset = { width: 4, height: 4, resize: 'stretch' as const, channels: 'rgb' as const, layout: 'nchw' as const, scale: 1 / 255, mean: [0.5, 0.4, 0.3], std: [0.2, 0.25, 0.5] };
  test('zero and black', async () => {
    assert.deepEqual([...(await makeBaseline({ spec: 'zero', input: x, dims }))], new Array(48).fill(0));
    const black = await makeBaseline({ spec: 'black', input: x, dims, preset });
    assert.ok(Math.abs(black[0] - -0.5 / 0.2) < 1e-6 && Math.abs(black[16] - -0.4 / 0.25) < 1e-6 && Math.abs(black[47] - -0.3 / 0.5) < 1e-6);
    await assert.rejects(makeBaseline({ spec: 'black', input: x, dims }), /needs an image input/);
  });
  test('noise is seeded; blur keeps a constant image constant', async () => {
    const a = await makeBaseline({ spec: 'noise', input: x, dims, preset, seed: 1 });
    const b = await makeBaseline({ spec: 'noise', input: x, dims, preset, seed: 1 });
    const c = await makeBaseline({ spec: 'noise', input: x, dims, preset, seed: 2 });
    assert.deepEqual([...a], [...b]);
    assert.notDeepEqual([...a], [...c]);
    const flat = new Float32Array(48).fill(0.7);
    const blurred = await makeBaseline({ spec: 'blur', input: flat, dims });
    assert.ok(blurred.every((v) => Math.abs(v - 0.7) < 1e-6));
  });
  test('a .npy of the wrong shape or with a NaN, and an unknown kind, are refused', async () => {
    const { writeNpy } = await import('../src/io/npy.js');
    const { mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const path = join(mkdtempSync(join(tmpdir(), 'hl-')), 'b.npy');
    await writeNpy(path, new Float32Array(12), [1, 3, 2, 2]);
    await assert.rejects(makeBaseline({ spec: path, input: x, dims }), /has shape \[1×3×2×2\].*the input is \[1×3×4×4\]/);
    await assert.rejects(makeBaseline({ spec: 'gray', input: x, dims }), /unknown baseline 'gray'/);
    const nan = new Float32Array(48);
    nan[17] = Number.NaN;
    await writeNpy(path, nan, [1, 3, 4, 4]);
    await assert.rejects(makeBaseline({ spec: path, input: x, dims }), /b\.npy: the baseline holds NaN at flat index 17; every value must be finite/);
    await writeNpy(path, Float32Array.from(x), [1, 3, 4, 4]);
    assert.deepEqual([...(await makeBaseline({ spec: path, input: x, dims }))], [...x], 'a finite file of the right shape is read as is');
  });
});

describe('SmoothGrad family', () => {
  const x = Float32Array.from(new Random(12).normals(192));
  const dims = [1, 3, 8, 8];
  const drive = (kind: 'smoothgrad' | 'smoothgrad-squared' | 'vargrad', noiseStd: number, seed = 0) =>
    smoothed(graphMethodByName('gradient'), { kind, samples: 4, noiseStd }).drive(contextFor(cnn, x, dims, { seed }, 1));
  test('without noise: the mean is the gradient, the square its square, the variance zero', async () => {
    const plain = await smoothed(graphMethodByName('gradient'), { kind: 'smoothgrad', samples: 1, noiseStd: 0 }).drive(contextFor(cnn, x, dims, {}, 1));
    const mean = await drive('smoothgrad', 0);
    const squared = await drive('smoothgrad-squared', 0);
    const variance = await drive('vargrad', 0);
    assert.ok(relativeMaxError(mean.attribution, plain.attribution) < 1e-6);
    assert.ok(relativeMaxError(squared.attribution, plain.attribution.map((g) => g * g)) < 1e-5);
    assert.ok(Math.max(...variance.attribution.map(Math.abs)) < 1e-6 * Math.max(...squared.attribution));
  });
  test('seeded: the same seed repeats, another seed differs; the mean of squares ≥ the squared mean', async () => {
    const a = await drive('smoothgrad', 0.3, 5);
    const b = await drive('smoothgrad', 0.3, 5);
    const c = await drive('smoothgrad', 0.3, 6);
    assert.deepEqual([...a.attribution], [...b.attribution]);
    assert.ok(relativeMaxError(a.attribution, c.attribution) > 1e-3);
    const variance = await drive('vargrad', 0.3, 5);
    assert.ok(variance.attribution.every((v) => v >= -1e-6));
  });
});
