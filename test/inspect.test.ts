/**
 * `heatlens inspect`: the numbers it reports are recomputed here by hand from the layer definitions of
 * small hand-built models (parameters, MACs, mask and activation bits), and its verdicts (which methods
 * apply, whether Grad-CAM is static) are checked on a model with and without an op that has no rule.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { GraphBuilder } from '../src/ir/builder.js';
import { attr } from '../src/ir/graph.js';
import { inspectModel } from '../src/model/inspect.js';
import { loadModel } from '../src/model/load.js';
import { encodeModel } from '../src/onnx/write.js';
import { heatlens } from './util/cli.js';
import { graphOf, randomConstant } from './util/graphs.js';
import { Random } from './util/random.js';

const scratch = mkdtempSync(join(tmpdir(), 'heatlens-inspect-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * x [1,3,8,8] → Conv 3→4 3×3 pad 1 → Relu → MaxPool 2×2/2 → Conv 4→5 1×1 → (Exp) → SiLU (Sigmoid·x)
 *   → GlobalAveragePool → Flatten → Gemm 5→3.
 */
function writeModel(name: string, withExp: boolean): string {
  const rnd = new Random(7);
  const graph = graphOf([1, 3, 8, 8], (b: GraphBuilder, x: string) => {
    const c1 = b.op('Conv', [x, randomConstant(b, rnd, [4, 3, 3, 3]), randomConstant(b, rnd, [4])], { pads: attr.ints([1, 1, 1, 1]) });
    const r = b.op('Relu', [c1]);
    const m = b.op('MaxPool', [r], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) });
    let c2 = b.op('Conv', [m, randomConstant(b, rnd, [5, 4, 1, 1]), randomConstant(b, rnd, [5])]);
    if (withExp) c2 = b.op('Exp', [c2]);
    const silu = b.op('Mul', [b.op('Sigmoid', [c2]), c2], {}, 'silu');
    const flat = b.op('Flatten', [b.op('GlobalAveragePool', [silu])]);
    return b.op('Gemm', [flat, randomConstant(b, rnd, [3, 5]), randomConstant(b, rnd, [3])], { transB: attr.int(1) });
  });
  const path = join(scratch, `${name}.onnx`);
  writeFileSync(path, encodeModel(graph));
  return path;
}

test('parameters, MACs and backward memory are those of the layer definitions', () => {
  const path = writeModel('plain', false);
  const r = inspectModel(path, loadModel(path).graph);
  // params: conv1 4·3·3·3 + 4, conv2 5·4 + 5, fc 3·5 + 3
  assert.equal(r.totals.params, 112 + 25 + 18);
  // MACs: conv1 |Y| = 4·8·8 outputs × 27; conv2 5·4·4 × 4; fc 3 × 5
  assert.equal(r.totals.macs, 4 * 64 * 27 + 80 * 4 + 15);
  assert.deepEqual(r.input, { name: 'x', shape: [1, 3, 8, 8], dtype: 'float32' });
  assert.equal(r.logits.classes, 3);
  // Relu: 1 bit × 256 outputs; MaxPool 2×2: ⌈log2 4⌉ = 2 bits × 64 pooled outputs.
  assert.equal(r.backwardMemory.maskBits, 256 + 2 * 64);
  // Sigmoid keeps its 80 outputs; the SiLU product keeps both 80-element operands (float32).
  assert.equal(r.backwardMemory.activationBits, 32 * (80 + 160));
  // Autograd keeps the Relu output in float32 (the pool reads the same tensor: counted once).
  assert.equal(r.backwardMemory.replacedBits, 32 * 256);
  assert.ok(r.methods.every((m) => m.applies), JSON.stringify(r.methods));
  assert.equal(r.gradcam.static, true);
  assert.equal(r.gradcam.defaultLayer, 'silu', 'the last map with spatial size > 1: the SiLU output');
  assert.deepEqual(r.missingRules, []);
  assert.deepEqual(r.layers.map((l) => l.backward), r.layers.map(() => 'rule'));
});

test('an op without a backward rule disables the methods that differentiate through it, not static Grad-CAM', () => {
  const path = writeModel('exp', true);
  const r = inspectModel(path, loadModel(path).graph);
  assert.deepEqual(r.missingRules.map((m) => m.op), ['Exp']);
  const verdict = Object.fromEntries(r.methods.map((m) => [m.method, m.applies]));
  assert.equal(verdict.saliency, false);
  assert.equal(verdict['integrated-gradients'], false);
  assert.equal(verdict['gradcam++'], false);
  assert.equal(verdict.gradcam, true, 'Grad-CAM after the Exp is static: no backward pass through it');
  assert.match(r.methods.find((m) => m.method === 'saliency')!.note!, /no backward rule for Exp/);
  assert.equal(r.layers.find((l) => l.op === 'Exp')!.backward, 'missing');
});

test('the CLI prints the report, as text and as JSON, and one line for a missing model', () => {
  const path = writeModel('cli', false);
  const text = heatlens(['inspect', path], scratch);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /155 parameters, 7\.2k MACs per image/);
  assert.match(text.stdout, /✓ gradcam +static at /);
  const json = heatlens(['inspect', path, '--json'], scratch);
  assert.equal(json.status, 0, json.stderr);
  assert.equal(JSON.parse(json.stdout).totals.macs, 7247);
  const missing = heatlens(['inspect', join(scratch, 'nope.onnx')], scratch);
  assert.equal(missing.status, 1);
  assert.equal(missing.stdout, '');
  assert.match(missing.stderr, /^heatlens: error: cannot read model .*nope\.onnx: no such file\n$/);
});
