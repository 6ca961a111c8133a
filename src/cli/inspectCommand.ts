/** `heatlens inspect`: layers, sizes, op coverage, applicable methods, preset and backward-pass memory. */
import { Command } from 'commander';
import { inspectModel, type ModelReport } from '../model/inspect.js';
import { loadModel, resolveModelPath } from '../model/load.js';
import { DEFAULT_MODEL } from './defaults.js';

interface InspectFlags {
  json: boolean;
  layers: boolean;
}

const count = (n: number): string => n.toLocaleString('en-US');
const scaled = (n: number): string =>
  n >= 1e9 ? `${(n / 1e9).toFixed(2)}G` : n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : `${n}`;
const bytes = (bits: number): string => {
  const b = bits / 8;
  return b >= 1 << 20 ? `${(b / (1 << 20)).toFixed(2)} MiB` : b >= 1024 ? `${(b / 1024).toFixed(1)} KiB` : `${Math.ceil(b)} B`;
};
const shape = (dims: readonly number[]): string => `[${dims.join('×')}]`;

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c >= 4 && c <= 5 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd());
}

export function formatReport(r: ModelReport, withLayers: boolean): string {
  const p = r.preset.preset;
  const presetLine = p
    ? `${p.width}×${p.height} ${p.resize}, ${p.channels} ${p.layout}, x = (pixel·${Number(p.scale.toPrecision(6))} − [${p.mean.join(', ')}]) / [${p.std.join(', ')}]  (${r.preset.source})`
    : `none (${r.preset.source})`;
  const m = r.backwardMemory;
  const kept = m.maskBits + m.activationBits;
  const autograd = m.replacedBits + m.activationBits;
  const lines = [
    `model    ${r.model}`,
    `input    ${r.input.name} ${shape(r.input.shape)} ${r.input.dtype}`,
    `logits   ${r.logits.name}: ${r.logits.classes} classes${r.logits.softmaxEnd ? ' (the model ends in Softmax; its input is explained)' : ''}`,
    `preset   ${presetLine}`,
    `size     ${r.totals.nodes} nodes after canonicalisation (BatchNorm folded), ${count(r.totals.params)} parameters, ${scaled(r.totals.macs)} MACs per image`,
  ];
  if (withLayers) {
    const rows = [['node', 'op', 'output', 'kernel', 'params', 'MACs', 'backward']];
    for (const l of r.layers) {
      rows.push([l.name, l.op, shape(l.shape), l.kernel ?? '', l.params ? count(l.params) : '', l.macs ? scaled(l.macs) : '', l.backward === 'rule' ? 'rule' : l.backward === 'missing' ? 'MISSING' : '—']);
    }
    lines.push('', ...table(rows).map((l) => `  ${l}`), '');
  }
  lines.push(`ops      ${r.ops.map((o) => `${o.op} ×${o.count}${o.backward ? '' : ' (no rule)'}`).join(', ')}`);
  if (r.missingRules.length) {
    lines.push(`missing  no backward rule on the explained path for: ${r.missingRules.map((x) => `${x.op} (${x.nodes.slice(0, 3).join(', ')}${x.nodes.length > 3 ? ', …' : ''})`).join('; ')}`);
  }
  lines.push('methods');
  for (const s of r.methods) lines.push(`  ${s.applies ? '✓' : '✗'} ${s.method.padEnd(21)}${s.note ?? ''}`.trimEnd());
  const g = r.gradcam;
  lines.push(
    `gradcam  ${g.layers} candidate layers; default ${g.defaultLayer ?? '—'}; static (compile-time gradient) at ${g.staticLayers.length ? g.staticLayers.join(', ') : 'no layer'}`,
    `backward memory per image: ${bytes(m.maskBits)} of 1-bit masks and pool indices${m.activationBits ? ` + ${bytes(m.activationBits)} of activations no mask can replace` : ''} = ${bytes(kept)}`,
    `         a run-time autograd keeps ${bytes(autograd)} (float32 activations) for the same rules: ${kept ? (autograd / kept).toFixed(1) : '—'}× more`,
  );
  return lines.join('\n');
}

export function inspectCommand(): Command {
  return new Command('inspect')
    .description('show a model: layers, shapes, parameters, MACs, backward rules, applicable methods, preset, backward memory')
    .argument('[model]', 'ONNX model or TensorFlow.js model.json, or the folder holding it (default: the built-in CIFAR-10 CNN)')
    .option('--json', 'print one JSON object', false)
    .option('--no-layers', 'leave out the per-node table')
    .action((model: string | undefined, flags: InspectFlags) => {
      const path = model === undefined ? DEFAULT_MODEL : resolveModelPath(model);
      const report = inspectModel(path, loadModel(path).graph);
      console.log(flags.json ? JSON.stringify(report) : formatReport(report, flags.layers));
    });
}
