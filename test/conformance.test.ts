/**
 * Operator conformance: the ONNX backend node tests of Debian's libonnx-testdata whose models use only ops
 * of the IR, each through import → shape inference → export → onnxruntime and through the reference
 * interpreter (src/conformance/nodeTests.ts), compared with the committed record
 * test/fixtures/conformance.json (written by `npm run conformance`, which also writes docs/conformance.md).
 *
 * Fails on a regression: a stage recorded as passing that no longer passes. Newly passing stages and
 * tests the record lacks are reported as diagnostics with a hint to regenerate the record. Skipped
 * visibly when the test data is not installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { compareWithExpectations, type ExpectationFile, expectedToPass } from '../src/conformance/expectations.js';
import { ATOL, NODE_TESTS_DIR, type NodeTestResult, RTOL, compareValues, runNodeTests, selectNodeTests } from '../src/conformance/nodeTests.js';
import { summaryLine } from '../src/conformance/report.js';
import { makeTensor } from '../src/ir/tensor.js';

const RECORD = new URL('../../test/fixtures/conformance.json', import.meta.url);
const available = existsSync(NODE_TESTS_DIR);
const HINT = 'run `npm run conformance` to update test/fixtures/conformance.json and docs/conformance.md';

test('compareValues: numpy assert_allclose (rtol 1e−3, atol 1e−7, NaN equal) for floats, exact for ints', () => {
  const want = makeTensor('float32', [4], [1, NaN, 0, -Infinity]);
  const got = (data: number[], dtype = 'float32', dims = [4]) => ({ dtype, dims, data });
  assert.equal(compareValues('y', got([1 + 0.9e-3, NaN, 0.9e-7, -Infinity]), want, true), undefined);
  assert.match(compareValues('y', got([1 + 1.1e-3, NaN, 0, -Infinity]), want, true)!, /^y: 1 of 4 values differ, worst at 0/);
  assert.match(compareValues('y', got([1, 0, 0, -Infinity]), want, true)!, /worst at 1: 0 vs NaN expected/);
  assert.match(compareValues('y', got([1, NaN, 2e-7, -Infinity]), want, true)!, /worst at 2/);
  assert.match(compareValues('y', got([1, NaN, 0, -Infinity], 'float32', [2, 2]), want, true)!, /shape \[2×2\], expected \[4\]/);
  assert.match(compareValues('y', got([1, NaN, 0, -Infinity], 'float64'), want, false)!, /dtype float64, expected float32/);
  const ints = makeTensor('int64', [2], [1000, 7]);
  assert.match(compareValues('i', got([1000, 7 + 1e-9], 'int64', [2]), ints, true)!, /worst at 1/);
  assert.ok(ATOL === 1e-7 && RTOL === 1e-3);
});

test('expectations: a stage recorded as passing that fails is a regression; a newly passing one is not', () => {
  const result = (name: string, stages: NodeTestResult['stages']): NodeTestResult => ({ name, ops: ['Relu'], bound: [], stages });
  const record: ExpectationFile = {
    test_a: 'pass',
    test_b: { ort: 'boom' },
    test_c: { import: 'refused' },
    test_gone: 'pass',
  };
  assert.ok(expectedToPass(record.test_b, 'interp') && !expectedToPass(record.test_b, 'ort'));
  assert.ok(!expectedToPass(record.test_c, 'shape'));
  const cmp = compareWithExpectations(record, [
    result('test_a', { import: true, shape: true, ort: 'wrong', interp: true }),
    result('test_b', { import: true, shape: true, ort: true, interp: true }),
    result('test_c', { import: 'still refused' }),
    result('test_new', { import: true, shape: true, ort: true, interp: true }),
  ]);
  assert.deepEqual(cmp.regressions, ['test_a ort: wrong', 'test_gone: no longer selected (an op left the IR\'s op table?)']);
  assert.deepEqual(cmp.improvements, ['test_b ort']);
  assert.deepEqual(cmp.added, ['test_new']);
  assert.deepEqual(cmp.changed, ['test_c import: refused → still refused']);
});

test('ONNX backend node tests: no regression against test/fixtures/conformance.json', {
  skip: available ? false : `${NODE_TESTS_DIR} is absent (Debian package libonnx-testdata)`,
  timeout: 300_000,
}, async (t) => {
  const { selected, total } = selectNodeTests();
  const results = await runNodeTests(selected);
  t.diagnostic(summaryLine(results, total));
  const record = JSON.parse(readFileSync(RECORD, 'utf8')) as ExpectationFile;
  const cmp = compareWithExpectations(record, results);
  for (const line of cmp.improvements) t.diagnostic(`newly passing: ${line}`);
  for (const line of cmp.added) t.diagnostic(`not in the record: ${line}`);
  for (const line of cmp.changed) t.diagnostic(`fails differently: ${line}`);
  if (cmp.improvements.length + cmp.added.length + cmp.changed.length > 0) t.diagnostic(HINT);

  // A refusal at import is a HeatlensError with a one-line reason, never a crash inside heatlens.
  const crashes = results.flatMap((r) => Object.entries(r.stages).filter(([, v]) => typeof v === 'string' && v.startsWith('internal error')).map(([s, v]) => `${r.name} ${s}: ${v}`));
  assert.deepEqual(crashes, [], `internal errors (bugs, not refusals):\n${crashes.join('\n')}`);
  assert.deepEqual(cmp.regressions, [], `regressions against the record (fix them, or if intended: ${HINT}):\n${cmp.regressions.join('\n')}`);
});
