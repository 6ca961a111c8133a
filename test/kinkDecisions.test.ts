/**
 * The decision check of util/kinkDecisions.ts (the fallback of fixtures.test.ts) on the built-in model,
 * whose committed fixture needs no ../shared: the deciding values are the four ReLU outputs (the two
 * max-pools read ReLU outputs), and with onnxruntime's decisions fed in the float64 evaluation gives
 * onnxruntime's attribution to float32 rounding.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { compileExplained } from '../src/compile/explain.js';
import { readNpy } from '../src/io/npy.js';
import { graphMethodByName } from '../src/methods/index.js';
import { loadModel } from '../src/model/load.js';
import { decidingValues, decisionConsistentCheck } from './util/kinkDecisions.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixture = join(root, 'test/fixtures/default');

test('deciding values of the built-in model: its ReLU outputs, each once', () => {
  const { graph } = loadModel(join(root, 'models/default/model.onnx'), 1);
  const relus = graph.nodes.filter((n) => n.op === 'Relu').map((n) => n.outputs[0]);
  assert.equal(relus.length, 4);
  assert.deepEqual(decidingValues(graph).sort(), relus.sort());
});

for (const method of ['gradient', 'guided-backprop']) {
  test(`${method}: onnxruntime equals float64 given its own kink decisions (≤ 1e-5), forward values within 1e-5`, async () => {
    const input = await readNpy(join(fixture, 'input.npy'));
    const target = await readNpy(join(fixture, 'target.npy'));
    const { graph } = loadModel(join(root, 'models/default/model.onnx'), input.shape[0]);
    const explained = compileExplained(graph, { method: graphMethodByName(method) });
    const targets = Array.from(target.data as BigInt64Array, Number);
    const check = await decisionConsistentCheck(explained.graph, explained.input, Float32Array.from(input.data as Float32Array), input.shape, targets, decidingValues(graph));
    assert.ok(check.forwardError <= 1e-5, `forward values: max rel. error ${check.forwardError.toExponential(2)}`);
    assert.ok(check.attributionError <= 1e-5, `attribution: max rel. error ${check.attributionError.toExponential(2)}`);
    assert.ok(check.attribution.some((v) => v !== 0), 'the attribution is not all zero');
  });
}
