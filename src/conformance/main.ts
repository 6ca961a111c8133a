/**
 * `npm run conformance`: runs the ONNX backend node tests (Debian's libonnx-testdata) through heatlens,
 * prints the per-op table, and rewrites test/fixtures/conformance.json (the record the conformance test
 * guards against regressions) and docs/conformance.md.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../io/atomic.js';
import { compareWithExpectations, type ExpectationFile, expectationsOf } from './expectations.js';
import { NODE_TESTS_DIR, STAGES, runNodeTests, selectNodeTests } from './nodeTests.js';
import { formatTable, markdown, summaryLine } from './report.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const EXPECTATIONS_PATH = join(root, 'test/fixtures/conformance.json');
const DOC_PATH = join(root, 'docs/conformance.md');

function testDataVersion(): string {
  try {
    return `Debian libonnx-testdata ${execFileSync('dpkg-query', ['-W', '-f=${Version}', 'libonnx-testdata'], { encoding: 'utf8' }).trim()}, ${NODE_TESTS_DIR}`;
  } catch {
    return NODE_TESTS_DIR;
  }
}

async function main(): Promise<void> {
  if (!existsSync(NODE_TESTS_DIR)) {
    console.error(`${NODE_TESTS_DIR} is absent: install Debian's libonnx-testdata (apt-get install libonnx-testdata)`);
    process.exitCode = 1;
    return;
  }
  const started = Date.now();
  const { selected, total } = selectNodeTests();
  const results = await runNodeTests(selected);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(formatTable(results));
  console.log('');
  for (const r of results) {
    for (const s of STAGES) if (typeof r.stages[s] === 'string') console.log(`FAIL ${r.name} ${s}: ${r.stages[s]}`);
  }
  console.log('');
  console.log(`${summaryLine(results, total)} (${seconds} s)`);

  if (existsSync(EXPECTATIONS_PATH)) {
    const before = JSON.parse(readFileSync(EXPECTATIONS_PATH, 'utf8')) as ExpectationFile;
    const cmp = compareWithExpectations(before, results);
    for (const line of cmp.regressions) console.log(`REGRESSION ${line}`);
    for (const line of cmp.improvements) console.log(`newly passing: ${line}`);
    for (const line of cmp.added) console.log(`new test: ${line}`);
  }
  const require = createRequire(import.meta.url);
  const ortVersion = (require('onnxruntime-node/package.json') as { version: string }).version;
  await writeFileAtomic(EXPECTATIONS_PATH, `${JSON.stringify(expectationsOf(results), null, 2)}\n`);
  await writeFileAtomic(DOC_PATH, markdown(results, { total, testData: testDataVersion(), onnxruntime: ortVersion }));
  console.log(`wrote ${EXPECTATIONS_PATH} and ${DOC_PATH}`);
}

await main();
