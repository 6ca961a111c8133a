/**
 * Step masks (src/grad/stepMasks.ts) equal their comparison, exactly, at the values where an arithmetic
 * form could go wrong: the threshold itself, its float32 neighbours on both sides, ±0, the smallest
 * normal float32, huge values and ±∞, for thresholds at, below and above 1 and at a power of two. The
 * one documented exception (threshold 0, subnormal v) is pinned too. Checked in onnxruntime (float32,
 * the fused NCHWc form for 4-D tensors) and in the reference interpreter (float64 and float32).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stepMask, stepScale, type StepSpec } from '../src/grad/stepMasks.js';
import { floatTensor } from '../src/ir/tensor.js';
import { runGraph } from '../src/interp/run.js';
import { graphOf } from './util/graphs.js';
import { runOnOrt } from './util/ort.js';

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
/** The float32 neighbour of x towards +∞ (up) or −∞ (down). */
function nextFloat32(x: number, direction: 1 | -1): number {
  f32[0] = x;
  if (f32[0] === 0) return direction * 2 ** -149;
  i32[0] += (f32[0] > 0 ? 1 : -1) * direction;
  return f32[0];
}

const MIN_NORMAL = 2 ** -126;
const MAX_FLOAT = 3.4028234663852886e38;

/** The threshold, its two nearest float32 neighbours on each side (for t = 0: the normal ones), and extremes. */
function probes(threshold: number): number[] {
  const t = Math.fround(threshold);
  const neighbours = t === 0
    ? [MIN_NORMAL, nextFloat32(MIN_NORMAL, 1), -MIN_NORMAL, nextFloat32(-MIN_NORMAL, -1)]
    : [nextFloat32(t, 1), nextFloat32(t, -1), nextFloat32(nextFloat32(t, 1), 1), nextFloat32(nextFloat32(t, -1), -1)];
  return [t, ...neighbours,
    0, -0, MIN_NORMAL, -MIN_NORMAL, 1, -1, 6, 1e30, -1e30, MAX_FLOAT, -MAX_FLOAT, Infinity, -Infinity];
}

function expected(v: number, spec: StepSpec): number {
  const t = Math.fround(spec.threshold);
  const past = spec.side === 'above' ? v > t : v < t;
  return past ? (spec.on ?? 1) : (spec.off ?? 0);
}

async function evaluate(values: number[], spec: StepSpec, rank4: boolean) {
  // [1, 16, 1, n]: 16 channels, so onnxruntime runs the depthwise Conv + Clip in its blocked NCHWc layout.
  const shape = rank4 ? [1, CHANNELS, 1, values.length] : [CHANNELS * values.length];
  const g = graphOf(shape, (b, x) => stepMask(b, x, spec));
  const data = Float32Array.from(repeated(values));
  const feeds = { x: floatTensor(shape, data) };
  return {
    ort: Array.from((await runOnOrt(g, feeds))[g.outputs[0]]),
    f64: Array.from(runGraph(g, feeds)[g.outputs[0]].data),
    f32: Array.from(runGraph(g, feeds, { precision: 'float32' })[g.outputs[0]].data),
  };
}

const CHANNELS = 16;
const repeated = (values: number[]) => Array.from({ length: CHANNELS }, () => values).flat();

const SPECS: StepSpec[] = [
  { threshold: 0, side: 'above' },
  { threshold: 0, side: 'above', off: 0.01 },
  { threshold: 6, side: 'below' },
  { threshold: 6, side: 'above' },
  { threshold: 1, side: 'below', on: 1 / 6 },
  { threshold: -1, side: 'above' },
  { threshold: 0.3, side: 'below' },
  { threshold: 1024, side: 'above' },
];

for (const spec of SPECS) {
  test(`step mask ${spec.side} ${spec.threshold} (on ${spec.on ?? 1}, off ${spec.off ?? 0}) equals the comparison at every probe`, async () => {
    const values = probes(spec.threshold);
    const fed = repeated(values);
    const want = fed.map((v) => Math.fround(expected(v, spec)));
    for (const rank4 of [true, false]) {
      const got = await evaluate(values, spec, rank4);
      for (const [engine, out] of Object.entries(got)) {
        out.forEach((m, i) => assert.equal(m + 0, want[i], `${engine} ${rank4 ? '4-D' : '1-D'}: v = ${fed[i]} gives ${m}, comparison ${want[i]}`));
      }
    }
  });
}

test('step mask at threshold 0: a subnormal v gets a mask strictly between off and on (the one inexact case)', async () => {
  const subnormal = 2 ** -140;
  const got = await evaluate([subnormal], { threshold: 0, side: 'above' }, true);
  for (const out of [got.ort, got.f64]) for (const m of out) assert.ok(m > 0 && m < 1, `mask ${m}`);
});

test('step scales: a power of two, 2/ulp(t), with s·|t| < 2^25', () => {
  assert.equal(stepScale(0), 2 ** 126);
  assert.equal(stepScale(6), 2 ** 22); // 6 ∈ [4, 8): ulp 2^-21
  assert.equal(stepScale(1), 2 ** 24);
  assert.equal(stepScale(-1), 2 ** 24);
  assert.equal(stepScale(0.3), 2 ** 26);
  for (const t of [0.3, 1, 6, 1024, 1e6]) {
    const s = stepScale(t)!;
    assert.ok(s * Math.abs(Math.fround(t)) < 2 ** 25);
    assert.ok(s * Math.abs(nextFloat32(t, -1) - Math.fround(t)) >= 1);
  }
  assert.equal(stepScale(1e-35), undefined);
});
