/**
 * `npm run bench:web`: the browser path's speed. For each benchmark model, inference alone and the
 * explained graphs of saliency and Grad-CAM (and heatlens' batch-1 import of the model, the forward pass
 * they start from), timed in onnxruntime-web's WebAssembly backend (the same .wasm a browser loads) run
 * in Node and in headless Chromium (the demo page, examples/browser; its columns are left out when no
 * Chromium is installed), and in onnxruntime-node, all on one thread (a web page gets one WebAssembly
 * thread unless it is cross-origin isolated). Prints the table and writes docs/browser.md.
 *
 * Protocol, as in `npm run bench` but in one process: an untimed round, then ROUNDS interleaved rounds;
 * in each, every (runtime, configuration) creates its session, warms it up, times its share of the runs
 * and releases it (session creation is never timed). Times are medians over all timed runs; a ratio to
 * inference is the median over the rounds of the ratio of the two medians within the round.
 */
import { readFileSync, existsSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { median, prepareConfig, type Prepared } from '../src/bench/measure.js';
import { formatTable } from '../src/bench/run.js';
import { timedRuns } from '../src/bench/timedRuns.js';
import { writeFileAtomic } from '../src/io/atomic.js';
import { loadModel } from '../src/model/load.js';
import { encodeModel } from '../src/onnx/write.js';
import { chromium } from 'playwright-core';
import { startDemoServer } from '../examples/browser/server.js';
import type { HeatlensDemo, PlainFeed } from '../examples/browser/app.js';
import { MODELS, root } from './benchModels.js';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** 'inference' runs the model file as it is; 'inference, batch 1' heatlens' import of it (canonical, batch fixed). */
const FIXED_INFERENCE = 'inference, batch 1';
const CONFIGS = ['inference', FIXED_INFERENCE, 'saliency', 'gradcam'];
const ROUNDS = 5;
const WARMUP = 3;

ortWeb.env.wasm.numThreads = 1;

/** One runtime: creates a session from the bytes, warms it up, times `runs` runs, releases it. */
interface Runtime {
  name: string;
  /** Column label in the table. */
  short: string;
  timeSession(bytes: Uint8Array, p: Prepared, runs: number): Promise<number[]>;
}

interface OrtLike {
  InferenceSession: { create(bytes: Uint8Array, options: object): Promise<{ run(feeds: Record<string, unknown>): Promise<unknown>; release(): Promise<void> }> };
}

/** A runtime whose sessions live in this process (onnxruntime-node, or onnxruntime-web's wasm in Node). */
function inProcess(name: string, short: string, ort: OrtLike, options: object, feeds: (p: Prepared) => Record<string, unknown>): Runtime {
  return {
    name, short,
    async timeSession(bytes, p, runs) {
      const session = await ort.InferenceSession.create(bytes, options);
      const input = feeds(p);
      const times = await timedRuns(() => session.run(input), WARMUP, runs);
      await session.release();
      return times;
    },
  };
}

/**
 * onnxruntime-web in headless Chromium: the demo page's timeGraph (examples/browser, one WebAssembly
 * thread) fetches the graph's bytes from a route this process answers, and creates, warms up, times and
 * releases the session inside the page, so no round trip to Node is timed.
 */
async function chromiumRuntime(): Promise<{ runtime: Runtime; version: string; close(): Promise<void> } | string> {
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM)`;
  const demo = await startDemoServer({ port: 0 });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  const page = await browser.newPage();
  let graph: Uint8Array = new Uint8Array();
  await page.route('**/bench-graph.onnx', (route) => route.fulfill({ body: Buffer.from(graph.buffer, graph.byteOffset, graph.byteLength), contentType: 'application/octet-stream' }));
  await page.goto(`${demo.url}?threads=1`);
  await page.waitForFunction(() => document.querySelectorAll('#top li').length > 0, null, { timeout: 120_000 });
  const runtime: Runtime = {
    name: 'onnxruntime-web in Chromium', short: 'chromium',
    async timeSession(bytes, p, runs) {
      graph = bytes;
      const feeds: PlainFeed[] = Object.entries(p.feeds).map(([name, t]) => ({
        name, type: t.type as PlainFeed['type'], dims: [...t.dims], data: Array.from(t.data as ArrayLike<number | bigint>, Number),
      }));
      return page.evaluate(({ feeds, warmup, runs }) => (window as unknown as { heatlensDemo: HeatlensDemo }).heatlensDemo
        .timeGraph('/bench-graph.onnx', feeds, warmup, runs), { feeds, warmup: WARMUP, runs });
    },
  };
  return { runtime, version: browser.version(), close: async () => { await browser.close(); await demo.close(); } };
}

const RUNTIMES: Runtime[] = [
  inProcess('onnxruntime-node', 'node', ortNode as unknown as OrtLike,
    { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all', logSeverityLevel: 3 }, (p) => p.feeds),
  inProcess('onnxruntime-web (wasm) in Node', 'web', ortWeb as unknown as OrtLike,
    { executionProviders: ['wasm'], graphOptimizationLevel: 'all', logSeverityLevel: 3 },
    (p) => Object.fromEntries(Object.entries(p.feeds).map(([name, t]) => [name, new ortWeb.Tensor(t.type as 'float32', t.data as Float32Array, t.dims)]))),
];

interface Timed {
  /** Median of all timed runs. */
  ms: number;
  /** Median over the rounds of this round's median over the same runtime's inference median. */
  ratio: number;
}

/** Each (runtime, configuration) of one model, timed in interleaved rounds. */
async function timeModel(path: string, iters: number, runtimes: readonly Runtime[], progress: (m: string) => void): Promise<Map<string, Timed>> {
  const prepared = CONFIGS.map((c): Prepared => (c === FIXED_INFERENCE
    ? { ...prepareConfig(path, 'inference'), config: c, bytes: encodeModel(loadModel(path, 1).graph) }
    : prepareConfig(path, c)));
  const perRound = Math.max(1, Math.ceil(iters / ROUNDS));
  /** Per key `runtime/config`, per timed round, the run times. */
  const times = new Map<string, number[][]>();
  // Round 0 is untimed: V8 first runs WebAssembly through its baseline compiler and tiers hot
  // functions up in the background (the first sessions ran up to 2× slower than later ones).
  for (let round = 0; round <= ROUNDS; round++) {
    progress(round ? `  round ${round}/${ROUNDS}` : '  warm-up round (untimed)');
    for (const runtime of runtimes) {
      for (const p of prepared) {
        const runs = await runtime.timeSession(p.bytes, p, perRound);
        const key = `${runtime.name}/${p.config}`;
        if (round) times.set(key, [...(times.get(key) ?? []), runs]);
      }
    }
  }
  const timed = new Map<string, Timed>();
  for (const runtime of runtimes) {
    const base = times.get(`${runtime.name}/inference`)!.map(median);
    for (const config of CONFIGS) {
      const rounds = times.get(`${runtime.name}/${config}`)!;
      timed.set(`${runtime.name}/${config}`, { ms: median(rounds.flat()), ratio: median(rounds.map((r, k) => median(r) / base[k])) });
    }
  }
  return timed;
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const loadAtStart = loadavg()[0];
  const started = performance.now();
  const browser = await chromiumRuntime();
  const runtimes = typeof browser === 'string' ? RUNTIMES : [...RUNTIMES, browser.runtime];
  if (typeof browser === 'string') console.log(`skipping the Chromium columns: ${browser}`);
  const rows: (string | number)[][] = [];
  const skipped: string[] = [];
  for (const model of MODELS) {
    if (only.length && !only.includes(model.torchCase)) continue;
    if (!existsSync(model.path)) {
      console.log(`skipping ${model.name}: ${model.path} absent`);
      skipped.push(`${model.name} (\`${model.path.replace(root, '')}\` absent)`);
      continue;
    }
    const iters = model.iters;
    console.log(`== ${model.name} (${model.input}), ${iters} runs per runtime and configuration`);
    const timed = await timeModel(model.path, iters, runtimes, (m) => console.log(m));
    for (const config of CONFIGS) {
      const base = timed.get(`${RUNTIMES[0].name}/${config}`)!;
      rows.push([model.name, config, base.ms.toFixed(3), base.ratio.toFixed(2), ...runtimes.slice(1).flatMap((runtime) => {
        const at = timed.get(`${runtime.name}/${config}`)!;
        return [at.ms.toFixed(3), at.ratio.toFixed(2), (at.ms / base.ms).toFixed(1)];
      })]);
    }
  }
  if (typeof browser !== 'string') await browser.close();
  const slowdowns = (column: number) => rows.map((r) => Number(r[column]));
  const range = (values: number[]) => `${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)}`;
  const slowdown = range(slowdowns(6));
  const headers = ['model', 'configuration', 'node ms', 'node × inference', ...runtimes.slice(1).flatMap((r) => [`${r.short} ms`, `${r.short} × inference`, `${r.short} / node`])];
  const table = formatTable(headers, rows);
  console.log(table);
  const version = (pkg: string) => JSON.parse(readFileSync(join(root, `node_modules/${pkg}/package.json`), 'utf8')).version as string;
  const doc = `# The browser path: onnxruntime-web

Written by \`npm run bench:web\` on ${new Date().toISOString().slice(0, 10)}; the run took ${((performance.now() - started) / 60_000).toFixed(1)} min.
Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB. Node ${process.version},
onnxruntime-node ${version('onnxruntime-node')}, onnxruntime-web ${version('onnxruntime-web')}. 1-minute load average
${loadAtStart.toFixed(1)} at the start and ${loadavg()[0].toFixed(1)} at the end (the run itself keeps one core busy).

The explained graphs \`heatlens compile\` writes (batch 1; Grad-CAM at its default layer, static on all
these models) and the original model for inference, timed in onnxruntime-web's WebAssembly backend
(\`wasm\`, SIMD, the same .wasm a browser loads) run in Node ("web") and ${typeof browser === 'string'
    ? `in a browser (not this time: ${browser})`
    : `in headless Chromium ${browser.version} ("chromium": the demo page of \`npm run demo\`, which creates, warms up and times each session inside the page)`},
and in onnxruntime-node, **one thread
each**: a web page gets one WebAssembly thread unless it is cross-origin isolated, so "node" here is
not \`npm run bench\`'s 2-thread figure. All three are timed from one process (Chromium's sessions inside its page), in ${ROUNDS} interleaved rounds
after an untimed one (V8 tiers WebAssembly up while it runs; the first sessions ran up to 2× slower):
each round creates every runtime's and configuration's session, warms it up with ${WARMUP} runs, times its
share of the runs and releases it; session creation is never timed. "ms" is the median of all timed runs;
"× inference" is the median over the rounds of the ratio within each round (this VM's speed drifts by
tens of percent between rounds; ratios within one stay steadier); "web / node" and "chromium / node" divide the "ms". Inputs are synthetic
(uniform in [−1, 1), class −1 = top-1). "inference" runs the model file as it is and is the base of the
ratios; "${FIXED_INFERENCE}" runs heatlens' import of it (BatchNorm folded, constants folded, the batch
dimension fixed to 1), the forward pass the explained graphs start from. test/web.test.ts checks that
onnxruntime-web gives onnxruntime-node's numbers for these graphs, test/chromium.test.ts that the demo page
does in Chromium.

${table}
${skipped.length ? `\nSkipped: ${skipped.join('; ')}.\n` : ''}
onnxruntime-web ran ${slowdown} times slower than onnxruntime-node on one thread in Node ("web / node")${typeof browser === 'string' ? '' : `,
and ${range(slowdowns(9))} times slower in Chromium ("chromium / node")`}. The
backward pass's operator forms (1×1 depthwise Convs fused with Clip for the rectifier masks, the MaxPool
phase form, the polyphase input adjoint; docs/benchmarks.md) are chosen for onnxruntime-node's CPU
provider, whose blocked NCHWc layout runs them as vectorised kernels; the WebAssembly backend has no
NCHWc layout and runs the same graphs with the same values. Compare the "× inference" columns for
what an explanation costs in each.
`;
  await writeFileAtomic(join(root, 'docs/browser.md'), doc);
  console.log('wrote docs/browser.md');
}

await main();
