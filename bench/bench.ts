/**
 * `npm run bench`: for each benchmark model, the median latency of inference alone and of every method
 * (each configuration in its own process, after warm-up, session creation excluded), the ratio to
 * inference measured in the same run, the explained graph's size against the original file, and the
 * same timings for PyTorch autograd (tools/bench_torch.py) at the same thread count where Python is
 * available. Prints the table and writes docs/benchmarks.md.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { BENCH_IG_STEPS, BENCH_NOISE_SAMPLES } from '../src/bench/measure.js';
import { measureInChild, formatTable } from '../src/bench/run.js';
import { compileExplained } from '../src/compile/explain.js';
import { graphMethodByName } from '../src/methods/index.js';
import { loadModel } from '../src/model/load.js';
import { writeFileAtomic } from '../src/io/atomic.js';
import { methodNames } from '../src/methods/index.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const shared = join(root, '../shared');
const THREADS = 2;

interface BenchModel {
  name: string;
  torchCase: string;
  path: string;
  input: string;
  iters: number;
}

const MODELS: BenchModel[] = [
  { name: 'default (heatlens CIFAR-10 CNN)', torchCase: 'default', path: join(root, 'models/default/model.onnx'), input: '1×3×32×32', iters: 200 },
  { name: 'resnet20-cifar10', torchCase: 'resnet20', path: join(shared, 'models/resnet20-cifar10/model.onnx'), input: '1×3×32×32', iters: 200 },
  { name: 'darknet-tiny-imagenet', torchCase: 'darknet-tiny', path: join(shared, 'models/darknet-tiny-imagenet/model.onnx'), input: '1×3×224×224', iters: 30 },
  { name: 'mobilenet-v1-025-imagenet', torchCase: 'mobilenet-v1-025', path: join(shared, 'models/mobilenet-v1-025-imagenet/model.onnx'), input: '1×3×224×224', iters: 100 },
  { name: 'torchvision resnet18 (random weights)', torchCase: 'resnet18', path: join(root, 'test/fixtures/generated/resnet18/model.onnx'), input: '1×3×224×224', iters: 20 },
];

const TORCH_KEYS: Record<string, string> = {
  inference: 'inference_ms', gradient: 'gradient_ms', saliency: 'saliency_ms', 'grad-x-input': 'grad_x_input_ms',
  'guided-backprop': 'guided_backprop_ms', deconvnet: 'deconvnet_ms',
};

async function torchTimes(torchCase: string, iters: number): Promise<Record<string, number> | undefined> {
  if (!existsSync('/usr/bin/python3')) return undefined;
  try {
    const { stdout } = await run('/usr/bin/python3', [join(root, 'tools/bench_torch.py'), '--case', torchCase, '--iters', String(iters), '--threads', String(THREADS)],
      { maxBuffer: 1 << 20, timeout: 20 * 60_000 });
    return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, number>;
  } catch (e) {
    console.error(`  PyTorch timing for ${torchCase} unavailable: ${(e as Error).message.split('\n')[0]}`);
    return undefined;
  }
}

/** Whether Grad-CAM at the default layer compiles without a backward pass. */
function staticCam(path: string): boolean {
  return compileExplained(loadModel(path, 1).graph, { method: graphMethodByName('gradcam') }).static;
}

async function versions(): Promise<string> {
  const ortVersion = JSON.parse(readFileSync(join(root, 'node_modules/onnxruntime-node/package.json'), 'utf8')).version;
  let torch = 'not available';
  try {
    torch = (await run('/usr/bin/python3', ['-c', 'import torch; print(torch.__version__)'])).stdout.trim();
  } catch { /* no Python reference on this machine */ }
  return `Node ${process.version}, onnxruntime-node ${ortVersion}, PyTorch ${torch}`;
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const loadAtStart = loadavg()[0];
  const sections: string[] = [];
  const summary: (string | number)[][] = [];
  for (const model of MODELS) {
    if (only.length && !only.some((o) => model.torchCase === o)) continue;
    if (!existsSync(model.path)) {
      console.log(`skipping ${model.name}: ${model.path} absent`);
      sections.push(`### ${model.name}\n\nSkipped: \`${model.path.replace(root, '')}\` absent (run \`npm run fixtures\` for the torchvision model).\n`);
      continue;
    }
    console.log(`== ${model.name} (${model.input}), ${model.iters} iterations per configuration`);
    const originalBytes = statSync(model.path).size;
    const torch = await torchTimes(model.torchCase, Math.min(model.iters, 50));
    const rows: (string | number)[][] = [];
    let inference = NaN;
    let torchInference = NaN;
    for (const config of ['inference', ...methodNames, 'saliency+smoothgrad']) {
      const m = await measureInChild(model.path, config, model.iters, 10, THREADS);
      if (config === 'inference') inference = m.medianMs;
      const t = torch?.[TORCH_KEYS[config]];
      if (config === 'inference' && t !== undefined) torchInference = t;
      rows.push([
        config, m.medianMs.toFixed(3), (m.medianMs / inference).toFixed(2),
        t !== undefined ? t.toFixed(3) : 'n/a', t !== undefined ? (t / torchInference).toFixed(2) : 'n/a',
        t !== undefined ? (t / m.medianMs).toFixed(1) : 'n/a',
        config === 'inference' ? '1.00' : (m.modelBytes / originalBytes).toFixed(3), m.peakRssMB.toFixed(0),
      ]);
      if (config === 'saliency') summary.push([model.name, (m.medianMs / inference).toFixed(2), t !== undefined ? (t / m.medianMs).toFixed(1) : 'n/a', (m.modelBytes / originalBytes).toFixed(3)]);
      if (config === 'gradcam') summary[summary.length - 1].push((m.medianMs / inference).toFixed(3), staticCam(model.path) ? 'yes' : 'no');
    }
    const table = formatTable(['configuration', 'heatlens ms', '× inference', 'PyTorch ms', 'PyTorch × inference', 'PyTorch / heatlens', 'graph size × original', 'peak RSS MB'], rows);
    console.log(table);
    sections.push(`### ${model.name}, input ${model.input}\n\n${table}\n${torch ? `\nPyTorch: ${torch.impl ?? ''}\n` : ''}`);
  }
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const doc = `# Benchmarks

Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}. Machine: ${cpu}, ${cpus().length} cores,
${(totalmem() / 2 ** 30).toFixed(0)} GiB. ${await versions()}. ${THREADS} threads for both onnxruntime and PyTorch; batch 1.
1-minute load average ${loadAtStart.toFixed(1)} at the start and ${loadavg()[0].toFixed(1)} at the end (above ~2, other work shared
the 2 cores and absolute times are inflated; ratios are measured in the same run).

Each heatlens configuration runs in its own process: the session is created, warmed up (10 runs), then
timed; the numbers are medians. "× inference" divides by the inference median of the same run.
"graph size × original" is the explained ONNX file's size over the original model file's. PyTorch
runs the same weights with dynamic autograd (tools/bench_torch.py: forward + backward of the target
logit with respect to the input; guided/deconv rules as autograd Functions at each rectifier).

## At a glance

${formatTable(['model', 'saliency × inference', 'PyTorch saliency / heatlens saliency', 'saliency graph size × original', 'Grad-CAM × inference', 'Grad-CAM static'], summary)}

Integrated Gradients is timed with ${BENCH_IG_STEPS} Gauss–Legendre points in one batch, SmoothGrad
(\`saliency+smoothgrad\`) with ${BENCH_NOISE_SAMPLES} noisy copies; both are whole explanations of one image.

## Per model

${sections.join('\n')}`;
  await writeFileAtomic(join(root, 'docs/benchmarks.md'), doc);
  console.log(`wrote docs/benchmarks.md`);
}

await main();
