/**
 * `npm run bench:web`: the browser path's speed. For each benchmark model, inference alone and the
 * explained graphs of saliency and Grad-CAM (and heatlens' batch-1 import of the model, the forward pass
 * they start from), timed in onnxruntime-web's WebAssembly backend (run in
 * Node: the same .wasm a browser loads) and in onnxruntime-node, both on one thread (a web page gets
 * one WebAssembly thread unless it is cross-origin isolated). Prints the table and writes
 * docs/browser.md.
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
import { writeFileAtomic } from '../src/io/atomic.js';
import { loadModel } from '../src/model/load.js';
import { encodeModel } from '../src/onnx/write.js';
import { MODELS, root } from './benchModels.js';

/** 'inference' runs the model file as it is; 'inference, batch 1' heatlens' import of it (canonical, batch fixed). */
const FIXED_INFERENCE = 'inference, batch 1';
const CONFIGS = ['inference', FIXED_INFERENCE, 'saliency', 'gradcam'];
const ROUNDS = 5;
const WARMUP = 3;

ortWeb.env.wasm.numThreads = 1;

interface Runtime {
  name: string;
  create(bytes: Uint8Array): Promise<{ run(feeds: Record<string, unknown>): Promise<unknown>; release(): Promise<void> }>;
  feeds(p: Prepared): Record<string, unknown>;
}

const RUNTIMES: Runtime[] = [
  {
    name: 'onnxruntime-node',
    create: (bytes) => ortNode.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all', logSeverityLevel: 3 }),
    feeds: (p) => p.feeds,
  },
  {
    name: 'onnxruntime-web (wasm)',
    create: (bytes) => ortWeb.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all', logSeverityLevel: 3 }),
    feeds: (p) => Object.fromEntries(Object.entries(p.feeds).map(([name, t]) => [name, new ortWeb.Tensor(t.type as 'float32', t.data as Float32Array, t.dims)])),
  },
];

interface Timed {
  /** Median of all timed runs. */
  ms: number;
  /** Median over the rounds of this round's median over the same runtime's inference median. */
  ratio: number;
}

/** Each (runtime, configuration) of one model, timed in interleaved rounds. */
async function timeModel(path: string, iters: number, progress: (m: string) => void): Promise<Map<string, Timed>> {
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
    for (const runtime of RUNTIMES) {
      for (const p of prepared) {
        const session = await runtime.create(p.bytes);
        const feeds = runtime.feeds(p);
        for (let i = 0; i < WARMUP; i++) await session.run(feeds);
        const runs: number[] = [];
        for (let i = 0; i < perRound; i++) {
          const t0 = performance.now();
          await session.run(feeds);
          runs.push(performance.now() - t0);
        }
        await session.release();
        const key = `${runtime.name}/${p.config}`;
        if (round) times.set(key, [...(times.get(key) ?? []), runs]);
      }
    }
  }
  const timed = new Map<string, Timed>();
  for (const runtime of RUNTIMES) {
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
    const timed = await timeModel(model.path, iters, (m) => console.log(m));
    const at = (runtime: Runtime, config: string) => timed.get(`${runtime.name}/${config}`)!;
    const [node, web] = RUNTIMES;
    for (const config of CONFIGS) {
      rows.push([
        model.name, config,
        at(node, config).ms.toFixed(3), at(node, config).ratio.toFixed(2),
        at(web, config).ms.toFixed(3), at(web, config).ratio.toFixed(2),
        (at(web, config).ms / at(node, config).ms).toFixed(1),
      ]);
    }
  }
  const slowdowns = rows.map((r) => Number(r[6]));
  const slowdown = `${Math.min(...slowdowns).toFixed(1)}–${Math.max(...slowdowns).toFixed(1)}`;
  const table = formatTable(['model', 'configuration', 'node ms', 'node × inference', 'web ms', 'web × inference', 'web / node'], rows);
  console.log(table);
  const version = (pkg: string) => JSON.parse(readFileSync(join(root, `node_modules/${pkg}/package.json`), 'utf8')).version as string;
  const doc = `# The browser path: onnxruntime-web

Written by \`npm run bench:web\` on ${new Date().toISOString().slice(0, 10)}; the run took ${((performance.now() - started) / 60_000).toFixed(1)} min.
Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB. Node ${process.version},
onnxruntime-node ${version('onnxruntime-node')}, onnxruntime-web ${version('onnxruntime-web')}. 1-minute load average
${loadAtStart.toFixed(1)} at the start and ${loadavg()[0].toFixed(1)} at the end (the run itself keeps one core busy).

The explained graphs \`heatlens compile\` writes (batch 1; Grad-CAM at its default layer, static on all
these models) and the original model for inference, timed in onnxruntime-web's WebAssembly backend
(\`wasm\`, SIMD, the same .wasm a browser loads, run here in Node) and in onnxruntime-node, **one thread
each**: a web page gets one WebAssembly thread unless it is cross-origin isolated, so "node" here is
not \`npm run bench\`'s 2-thread figure. Both are timed in one process, in ${ROUNDS} interleaved rounds
after an untimed one (V8 tiers WebAssembly up while it runs; the first sessions ran up to 2× slower):
each round creates every runtime's and configuration's session, warms it up with ${WARMUP} runs, times its
share of the runs and releases it; session creation is never timed. "ms" is the median of all timed runs;
"× inference" is the median over the rounds of the ratio within each round (this VM's speed drifts by
tens of percent between rounds; ratios within one stay steadier); "web / node" divides the two "ms". Inputs are synthetic
(uniform in [−1, 1), class −1 = top-1). "inference" runs the model file as it is and is the base of the
ratios; "${FIXED_INFERENCE}" runs heatlens' import of it (BatchNorm folded, constants folded, the batch
dimension fixed to 1), the forward pass the explained graphs start from. test/web.test.ts checks that the
two runtimes give the same numbers for these graphs.

${table}
${skipped.length ? `\nSkipped: ${skipped.join('; ')}.\n` : ''}
onnxruntime-web ran ${slowdown} times slower than onnxruntime-node on one thread ("web / node"). The
backward pass's operator forms (1×1 depthwise Convs fused with Clip for the rectifier masks, the MaxPool
phase form, the polyphase input adjoint; docs/benchmarks.md) are chosen for onnxruntime-node's CPU
provider, whose blocked NCHWc layout runs them as vectorised kernels; the WebAssembly backend has no
NCHWc layout and runs the same graphs with the same values. Compare the two "× inference" columns for
what an explanation costs in each.
`;
  await writeFileAtomic(join(root, 'docs/browser.md'), doc);
  console.log('wrote docs/browser.md');
}

await main();
