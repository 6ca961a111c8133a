/** `heatlens explain`: explain images with a model and write the heat map. */
import { Command, Option } from 'commander';
import { unlink } from 'node:fs/promises';
import { basename, extname, relative } from 'node:path';
import { type ColormapName, COLORMAPS } from '../heatmap/colormap.js';
import { type Normalisation, NORMALISATIONS } from '../heatmap/normalise.js';
import { type Reduction, REDUCTIONS } from '../heatmap/reduce.js';
import { encodePng, heatmapImages } from '../heatmap/render.js';
import { writeFileAtomic } from '../io/atomic.js';
import { writeNpy } from '../io/npy.js';
import { methodByName, methodNames } from '../methods/index.js';
import { addDrivenOptions, type DrivenFlags, drivenOptions, refuseIgnoredFlags, smoothOptions } from './methodOptions.js';
import { alignLabels, loadLabels, resolveModelPath } from '../model/load.js';
import { topK } from '../model/topk.js';
import { explain } from '../pipeline.js';
import { DEFAULT_IMAGE, DEFAULT_MODEL } from './defaults.js';
import { type PresetFlags, numberList, positiveInt, presetOverrides, size, targetList } from './options.js';

interface ExplainFlags extends PresetFlags, DrivenFlags {
  model: string;
  input: string[];
  method: string;
  target: number[];
  probability: boolean;
  out?: string;
  overlay: boolean;
  saveNpy?: string;
  json: boolean;
  labels?: string;
  reduce?: Reduction;
  normalise?: Normalisation;
  layer?: string;
  colormap: ColormapName;
  threads?: number;
}

/** heat.png for one image; heat-0.png, heat-1.png, … for a batch. */
function outputPath(out: string, index: number, batch: number): string {
  if (batch === 1) return out;
  const ext = extname(out);
  return `${out.slice(0, out.length - ext.length)}-${index}${ext}`;
}

export function addPresetOptions(cmd: Command): Command {
  return cmd
    .option('--size <WxH>', 'model input size (overrides the preset)', size)
    .addOption(new Option('--resize <mode>', 'stretch, or resize the shorter side and centre-crop').choices(['stretch', 'center-crop']))
    .addOption(new Option('--channels <order>', 'channel order').choices(['rgb', 'bgr', 'gray']))
    .addOption(new Option('--layout <layout>', 'tensor layout').choices(['nchw', 'nhwc']))
    .option('--scale <s>', 'pixel scale before mean/std (e.g. 0.00392156 for 1/255)', Number)
    .option('--mean <a,b,c>', 'per-channel mean subtracted after scaling', numberList('--mean'))
    .option('--std <a,b,c>', 'per-channel std divided after the mean', numberList('--std'));
}

export function explainCommand(): Command {
  const cmd = new Command('explain')
    .description('explain what a classifier looks at in an image and write the heat map')
    .option('-m, --model <file>', 'ONNX model or TensorFlow.js model.json, or the folder holding it (default: the built-in CIFAR-10 CNN, models/default)')
    .option('-i, --input <files...>', 'PNG/JPEG images (one batch), or one .npy float32 tensor in the model layout (default: the built-in sample photo)')
    .option('--method <name>', `attribution method: ${methodNames.join(', ')}`, 'saliency')
    .option('-t, --target <class>', "class to explain: 'top' (default) or an index; comma-separated: one per image", targetList)
    .option('--probability', 'differentiate the softmax probability instead of the pre-softmax logit', false)
    .option('-o, --out <file.png>', 'write the heat map as PNG (overlaid on the image)')
    .option('--no-overlay', 'write the plain coloured map, not overlaid')
    .option('--save-npy <file.npy>', 'write the raw attribution (input shape, before reduction/normalisation)')
    .option('--json', 'print one JSON object instead of text', false)
    .option('--labels <file>', 'class labels, one per line (default: labels.txt beside the model)')
    .addOption(new Option('--reduce <how>', 'channel reduction for the map (default abs-max)').choices(REDUCTIONS))
    .addOption(new Option('--normalise <how>', 'map normalisation (default: percentile for gradients, minmax for CAM maps)').choices(NORMALISATIONS))
    .option('--layer <name>', 'target layer of CAM methods: a value or node name (default: the last with spatial size > 1)')
    .addOption(new Option('--colormap <name>', 'colormap').choices(COLORMAPS).default('inferno'))
    .option('--threads <n>', 'onnxruntime intra-op threads', positiveInt('--threads'));
  addPresetOptions(cmd);
  addDrivenOptions(cmd, { runtime: true });
  return cmd.action(async (parsed: ExplainFlags) => {
    const flags: ExplainFlags = {
      ...parsed,
      model: parsed.model === undefined ? DEFAULT_MODEL : resolveModelPath(parsed.model),
      input: parsed.input ?? [DEFAULT_IMAGE],
      target: parsed.target ?? [-1],
    };
    methodByName(flags.method);
    refuseIgnoredFlags(cmd, flags);
    const labelLines = loadLabels(flags.model, flags.labels);
    const outcome = await explain({
      modelPath: flags.model,
      inputs: flags.input,
      method: flags.method,
      targets: flags.target,
      targetKind: flags.probability ? 'probability' : 'logit',
      preset: presetOverrides(flags),
      threads: flags.threads,
      layer: flags.layer,
      driven: drivenOptions(flags),
      smooth: smoothOptions(flags),
      progress: process.stderr.isTTY && !flags.json ? (line) => process.stderr.write(`${line}\n`) : undefined,
    });
    const { batch, classes } = outcome;
    const labels = labelLines && alignLabels(labelLines, classes);
    const written: string[] = [];
    try {
      if (flags.saveNpy) {
        // CAM methods save their map at the layer's resolution (after its ReLU, before normalisation).
        const raw = outcome.layerMap ?? { data: outcome.attribution, dims: outcome.attributionDims };
        await writeNpy(flags.saveNpy, raw.data, raw.dims);
        written.push(flags.saveNpy);
      }
      if (flags.out) {
        const images = heatmapImages(outcome.attribution, outcome.attributionDims, {
          layout: outcome.preset?.layout ?? 'nchw', reduce: flags.reduce, normalise: flags.normalise,
          displays: outcome.displays, overlay: flags.overlay, colormap: flags.colormap,
        });
        for (const [i, image] of images.entries()) {
          const path = outputPath(flags.out, i, batch);
          await writeFileAtomic(path, await encodePng(image));
          written.push(path);
        }
      }
    } catch (e) {
      // A failed run leaves no outputs: remove the ones this run already wrote (e.g. the .npy before a
      // PNG into a missing folder), so no partial set of results is mistaken for a complete one.
      await Promise.all(written.map((path) => unlink(path).catch(() => undefined)));
      throw e;
    }
    const images = Array.from({ length: batch }, (_, i) => {
      const logits = outcome.logits.subarray(i * classes, (i + 1) * classes);
      const target = outcome.targets[i];
      return {
        input: flags.input.length === batch ? flags.input[i] : `${flags.input[0]}[${i}]`,
        top5: topK(logits, Math.min(5, classes), labels),
        target: { index: target, label: labels?.[target], logit: logits[target] },
        ...(outcome.details ? { details: outcome.details[i] } : {}),
      };
    });
    const timings = Object.fromEntries(Object.entries(outcome.timingsMs).map(([k, v]) => [k, Number(v.toFixed(2))]));
    if (flags.json) {
      console.log(JSON.stringify({
        model: flags.model, method: flags.method, target: flags.probability ? 'probability' : 'logit',
        static: outcome.static, backwardPasses: outcome.backwardPasses,
        inputShape: outcome.inputShape, classes, images, outputs: written, timingsMs: timings,
      }));
      return;
    }
    const methodLine = flags.smooth
      ? `method  ${flags.smooth} of ${flags.method} (${outcome.details?.[0]?.samples} noisy copies)`
      : `method  ${flags.method}, target: ${flags.probability ? 'softmax probability' : 'pre-softmax logit'}, ${outcome.static ? 'static (gradient derived at compile time: no backward pass)' : `${outcome.backwardPasses} backward pass${outcome.backwardPasses === 1 ? '' : 'es'}${outcome.details ? ' per path point' : ''}`}`;
    const lines = [`model   ${shortPath(flags.model)} (input [${outcome.inputShape.join('×')}], ${classes} classes)`,
      methodLine];
    for (const img of images) {
      lines.push(`image   ${basename(img.input)}`);
      img.top5.forEach((c, rank) => lines.push(`  ${rank + 1}. ${(c.label ?? `class ${c.index}`).padEnd(24)} ${(100 * c.probability).toFixed(1).padStart(5)}%  logit ${c.logit.toFixed(3)}  [${c.index}]`));
      lines.push(`  explained: ${img.target.label ?? 'class'} [${img.target.index}]`);
      if (img.details) lines.push(`  ${describeDetails(img.details)}`);
    }
    for (const w of written) lines.push(`wrote   ${shortPath(w)}`);
    // A multi-run method compiles and opens its sessions as it goes: its run time includes both.
    lines.push(outcome.details
      ? `time    load ${timings.load} ms, run ${timings.run} ms (compiling and sessions included)`
      : `time    load ${timings.load} ms, compile ${timings.compile} ms, session ${timings.session} ms, run ${timings.run} ms`);
    console.log(lines.join('\n'));
  });
}

/** One line for a multi-run method's report: IG's steps and completeness error, SmoothGrad's noise. */
function describeDetails(d: Record<string, unknown>): string {
  if (typeof d.relativeDelta === 'number') {
    const pilot = d.scheme === 'nonuniform' ? `, pilot ${d.forwardEvaluations} forward passes (${Number(d.pilotMs).toFixed(1)} ms)` : '';
    const rounds = Array.isArray(d.history) && d.history.length > 1
      ? `; ${d.history.length} rounds (${d.history.map((h: { steps: number }) => h.steps).join(' → ')} steps), ${d.gradientEvaluations} gradient evaluations in all` : '';
    const target = typeof d.targetDelta !== 'number' ? ''
      : d.targetReached ? `; target ≤ ${percent(d.targetDelta)} reached`
      : `; target ≤ ${percent(d.targetDelta)} NOT reached within --max-steps ${d.maxSteps}`;
    return `IG ${d.scheme}: ${d.steps} steps, δ = ${Number(d.delta).toPrecision(3)} (${percent(d.relativeDelta)} of |y(x) − y(x′)| = ${Math.abs(Number(d.scoreInput) - Number(d.scoreBaseline)).toPrecision(4)})${pilot}${rounds}${target}`;
  }
  if (typeof d.samples === 'number') return `${d.smoothing}: ${d.samples} noisy copies, σ = ${Number(d.sigma).toPrecision(3)}, seed ${d.seed}`;
  return JSON.stringify(d);
}

/** A fraction as a percentage with two decimals, or three significant digits below 0.01%. */
function percent(fraction: number): string {
  const p = 100 * fraction;
  return `${p !== 0 && Math.abs(p) < 0.01 ? p.toPrecision(3) : p.toFixed(2)}%`;
}

/** A path relative to the working directory when that is shorter (the built-in model's is). */
function shortPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.length < path.length ? rel : path;
}
