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
import { promisify } from 'node:util';
import { BENCH_IG_STEPS, BENCH_NOISE_SAMPLES } from '../src/bench/measure.js';
import { measureModel, formatTable } from '../src/bench/run.js';
import { compileExplained } from '../src/compile/explain.js';
import { graphMethodByName } from '../src/methods/index.js';
import { loadModel } from '../src/model/load.js';
import { writeFileAtomic } from '../src/io/atomic.js';
import { methodNames } from '../src/methods/index.js';
import { MODELS, root } from './benchModels.js';

const run = promisify(execFile);
const THREADS = 2;
/** Interleaved rounds of all configurations per timing process, and timing processes per model (src/bench/run.ts). */
const ROUNDS = 5;
const PROCESSES = 3;
/** Untimed runs after each session creation. */
const WARMUP = 5;

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
    let torchInference = NaN;
    const configs = ['inference', ...methodNames, 'saliency+smoothgrad'];
    const results = await measureModel(model.path, configs, {
      iters: model.iters, warmup: WARMUP, threads: THREADS, rounds: ROUNDS, processes: PROCESSES, progress: (m) => console.log(m),
    });
    for (const m of results) {
      const config = m.config;
      const t = torch?.[TORCH_KEYS[config]];
      if (config === 'inference' && t !== undefined) torchInference = t;
      rows.push([
        config, m.medianMs.toFixed(3), `${m.minMedianMs.toFixed(3)}–${m.maxMedianMs.toFixed(3)}`, m.ratio.toFixed(2),
        t !== undefined ? t.toFixed(3) : 'n/a', t !== undefined ? (t / torchInference).toFixed(2) : 'n/a',
        t !== undefined ? (t / m.medianMs).toFixed(1) : 'n/a',
        config === 'inference' ? '1.00' : (m.modelBytes / originalBytes).toFixed(3), m.peakRssMB.toFixed(0),
      ]);
      if (config === 'saliency') summary.push([model.name, m.ratio.toFixed(2), t !== undefined ? (t / m.medianMs).toFixed(1) : 'n/a', (m.modelBytes / originalBytes).toFixed(3)]);
      if (config === 'gradcam') summary[summary.length - 1].push(m.ratio.toFixed(3), staticCam(model.path) ? 'yes' : 'no');
    }
    const table = formatTable(['configuration', 'heatlens ms', 'per-process medians', '× inference', 'PyTorch ms', 'PyTorch × inference', 'PyTorch / heatlens', 'graph size × original', 'peak RSS MB'], rows);
    console.log(table);
    sections.push(`### ${model.name}, input ${model.input}\n\n${table}\n${torch ? `\nPyTorch: ${torch.impl ?? ''}\n` : ''}`);
  }
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const doc = `# Benchmarks

Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}. Machine: ${cpu}, ${cpus().length} cores,
${(totalmem() / 2 ** 30).toFixed(0)} GiB. ${await versions()}. ${THREADS} threads for both onnxruntime and PyTorch; batch 1.
1-minute load average ${loadAtStart.toFixed(1)} at the start and ${loadavg()[0].toFixed(1)} at the end (above ~2, other work shared
the 2 cores and absolute times are inflated; ratios are measured in the same run).

All configurations of a model are timed together in one process, in ${ROUNDS} interleaved rounds (each round
creates a configuration's session, warms it up with ${WARMUP} runs, times its share of the runs and releases it;
session creation is never timed), and that is repeated in ${PROCESSES} processes. "heatlens ms" is the median
over the processes of each process's median; "per-process medians" shows their range: on this virtual
machine a whole process can run up to 2× slower than the next one, depending on the host's load, while
ratios inside one process stay stable. "× inference" is therefore the median over the processes of the
ratio measured inside each process. Integrated Gradients and SmoothGrad (sessions of several hundred MB,
which slow later sessions in the same process) are timed in processes of their own, again with inference
first for their ratios. Peak RSS is measured per configuration in a process of its own. Inputs are
synthetic (uniform in [−1, 1), class −1 = top-1).
"graph size × original" is the explained ONNX file's size over the original model file's. PyTorch
runs the same weights with dynamic autograd (tools/bench_torch.py: forward + backward of the target
logit with respect to the input; guided/deconv rules as autograd Functions at each rectifier).

## At a glance

${formatTable(['model', 'saliency × inference', 'PyTorch saliency / heatlens saliency', 'saliency graph size × original', 'Grad-CAM × inference', 'Grad-CAM static'], summary)}

Where the time goes (profiles and ablations on these models). A saliency graph runs the forward pass and
an adjoint convolution per convolution, with the same multiply-accumulates; what it adds beyond 2× is:
- the rectifier masks, each a fused 1×1 depthwise Conv + Clip and a Mul in onnxruntime's NCHWc layout
  (two passes over the activation; ReLU6 needs two masks): the gap between a method's row and the
  deconvnet row, which keeps no mask at all, is their cost — small on the CIFAR models, about two
  inference times on MobileNet v1 0.25, whose 27 ReLU6 layers are memory-bound at this width;
- the adjoint of the input layer, whose 3 output channels onnxruntime would pad to its 16-channel
  blocks: with stride 1 it runs in polyphase form instead (a stride-2 Conv whose 12 output channels are
  the 2×2 output phases, interleaved back by a 2×2/2 ConvTranspose with one group per channel; on the
  built-in model this took saliency from 3.25× to 2.87× inference in one A/B run, on darknet-tiny from
  2.87× to 2.81×; the ConvTranspose interleave, in place of a DepthToSpace, took darknet-tiny from 2.46×
  to 2.39× at 1 thread), while the stride-2 input layers of ResNet-18 and MobileNet keep a
  ConvTranspose over 3 channels (a stride-2 polyphase form, a stride-1 Conv to the 12 phases, ran
  ResNet-18's 7×7/2 stem adjoint in 0.71× the time, but whole saliency graphs in A/B runs took
  0.990–0.993× the time on ResNet-18 and 1.021× on MobileNet v1 0.25: too little to carry a second form);
- stride-2 convolutions: a dense one's adjoint is a ConvTranspose (tested against a polyphase
  decomposition and zero insertion + Conv: ConvTranspose was the fastest on onnxruntime's CPU), which
  runs in plain NCHW; with a multiple of 16 channels an identity depthwise 1×1 Conv after it brings the
  gradient back into NCHWc, so a ResNet's residual gradient path no longer stays in NCHW with a layout
  reorder at every mask and adjoint (saliency 0.94× the time on resnet20, 0.99× on ResNet-18, in A/B
  runs); a depthwise one's is zero insertion (a 1×1 ConvTranspose) + a flipped depthwise Conv in
  NCHWc, since onnxruntime runs a grouped ConvTranspose one channel at a time in plain NCHW (MobileNet
  v1 0.25's saliency took 0.83× the time of the ConvTranspose form in one A/B run, same values);
- max pooling: windows that tile the input (2×2/2 in the built-in model and darknet-tiny) route to
  their first maximum with about eight NCHWc passes (nearest upsampling, fused 1×1 Convs, a MaxPool of
  per-place weights that breaks ties; src/grad/rules/maxPool.ts), which replaced the recomputed MaxPool
  with Indices + MaxUnpool and the two layout reorders around them (saliency 0.90× the time on the
  built-in model, 0.94× on darknet-tiny, in one A/B run; keeping the Indices form for darknet-tiny's
  first pool alone, at 224×224×16 where the phase form's passes and upsamplings cost most, took 1.06×);
  overlapping windows (ResNet-18's 3×3/2) still recompute the pool with Indices and scatter, in plain
  NCHW and with scalar kernels: about 9% of ResNet-18's saliency kernel time in a profile.
The deconvnet row is therefore the floor of this design on each model.

Static Grad-CAM runs no backward pass. What it adds to inference is a handful of small kernels: the
top-1 ArgMax and the target selection, the class row's Gather and a 1×1 Conv of the layer with it (where
the pooled map is the logits, as in darknet-tiny, a Gather of the class channel instead: 1.045× → 1.024×
in one A/B run), a layout reorder of the layer, and two MatMuls for the bilinear upsampling. Each takes
a few µs, which is several percent of an inference of about a millisecond or less (the CIFAR
models, MobileNet v1 0.25).

Integrated Gradients is timed with ${BENCH_IG_STEPS} Gauss–Legendre points in one batch, SmoothGrad
(\`saliency+smoothgrad\`) with ${BENCH_NOISE_SAMPLES} noisy copies; both are whole explanations of one image.

## Per model

${sections.join('\n')}`;
  await writeFileAtomic(join(root, 'docs/benchmarks.md'), doc);
  console.log(`wrote docs/benchmarks.md`);
}

await main();
