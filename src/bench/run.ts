/**
 * `heatlens bench` and the benchmark scripts: all configurations of a model (inference alone, then each
 * method) are timed together in one child process, in interleaved rounds (measure.ts timeConfigs), and
 * that is repeated in several processes. Each configuration's time is the median over the processes of
 * its per-process median; its ratio to inference is the median over the processes of the ratio measured
 * inside each one. Peak memory is measured per configuration in a process of its own.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { HeatlensError } from '../errors.js';
import { methodByName } from '../methods/index.js';
import { isDriven } from '../methods/types.js';
import { median, type Timing } from './measure.js';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../../bin/heatlens.js', import.meta.url));

export interface BenchOptions {
  /** Timed runs per configuration and process. */
  iters: number;
  warmup: number;
  threads: number;
  /** Interleaved rounds within each process. */
  rounds: number;
  /** Timing processes. */
  processes: number;
  /** Progress lines (stderr in the CLI). */
  progress?(message: string): void;
}

export interface ConfigResult {
  config: string;
  /** Median over the processes of the per-process median. */
  medianMs: number;
  /** Smallest and largest per-process median. */
  minMedianMs: number;
  maxMedianMs: number;
  /** Median over the processes of (this median / inference median) within each process. */
  ratio: number;
  peakRssMB: number;
  modelBytes: number;
  iters: number;
}

export interface BenchRequest extends BenchOptions {
  modelPath: string;
  methods: string[];
}

export interface BenchReport {
  model: string;
  threads: number;
  rows: ConfigResult[];
  table: string;
}

async function child(args: string[], what: string): Promise<string> {
  try {
    const { stdout } = await run(process.execPath, [cli, ...args], { maxBuffer: 1 << 22 });
    return stdout;
  } catch (e) {
    const stderr = (e as { stderr?: string }).stderr?.trim().split('\n')[0];
    throw new HeatlensError(`benchmark of ${what} failed: ${stderr || (e as Error).message}`, 'E_BENCH');
  }
}

/**
 * Configurations that run a batch of points (Integrated Gradients, SmoothGrad) hold sessions of several
 * hundred MB; in the same process they slow every later session down by up to 40% (measured on darknet),
 * so they are timed in processes of their own, each group again with inference first for its ratios.
 */
function timingGroups(configs: string[]): string[][] {
  const batched = (c: string) => c.includes('+') || isDriven(methodByName(c));
  const rest = configs.slice(1);
  const light = rest.filter((c) => !batched(c));
  const heavy = rest.filter(batched);
  return [['inference', ...light], ...(heavy.length ? [['inference', ...heavy]] : [])];
}

/** Times `configs` (the first must be 'inference') and measures each one's peak memory. */
export async function measureModel(modelPath: string, configs: string[], options: BenchOptions): Promise<ConfigResult[]> {
  if (configs[0] !== 'inference') throw new Error("the first configuration must be 'inference'");
  const timings = new Map<string, { medians: number[]; ratios: number[]; bytes: number; iters: number }>();
  for (const [g, group] of timingGroups(configs).entries()) {
    for (let p = 0; p < options.processes; p++) {
      options.progress?.(`  timing process ${p + 1}/${options.processes}: ${group.join(', ')} × ${options.rounds} rounds`);
      const stdout = await child(['bench-time', '--model', modelPath, '--configs', group.join(','), '--iters', String(options.iters),
        '--warmup', String(options.warmup), '--threads', String(options.threads), '--rounds', String(options.rounds)], modelPath);
      const measured = JSON.parse(stdout) as Timing[];
      // Inference is reported from the first group; later groups use theirs only as the ratio's reference.
      for (const t of g === 0 ? measured : measured.slice(1)) {
        const entry = timings.get(t.config) ?? { medians: [], ratios: [], bytes: t.modelBytes, iters: 0 };
        entry.medians.push(t.medianMs);
        entry.ratios.push(t.medianMs / measured[0].medianMs);
        entry.iters += t.iters;
        timings.set(t.config, entry);
      }
    }
  }
  const results: ConfigResult[] = [];
  for (const config of configs) {
    const t = timings.get(config)!;
    const memory = Number(await child(['bench-memory', '--model', modelPath, '--config', config, '--threads', String(options.threads)], `${config} on ${modelPath}`));
    results.push({
      config, medianMs: median(t.medians), minMedianMs: Math.min(...t.medians), maxMedianMs: Math.max(...t.medians), ratio: median(t.ratios),
      peakRssMB: memory, modelBytes: t.bytes, iters: t.iters,
    });
  }
  return results;
}

export function formatTable(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(headers), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}

export async function runBench(req: BenchRequest): Promise<BenchReport> {
  req.methods.forEach((m) => methodByName(m.split('+')[0]));
  const rows = await measureModel(req.modelPath, ['inference', ...req.methods], req);
  const table = formatTable(
    ['configuration', 'median ms', 'per-process medians ms', '× inference', 'peak RSS MB', 'graph MB'],
    rows.map((r) => [r.config, r.medianMs.toFixed(3), `${r.minMedianMs.toFixed(3)}–${r.maxMedianMs.toFixed(3)}`, r.ratio.toFixed(2), r.peakRssMB.toFixed(0), (r.modelBytes / 1e6).toFixed(2)]),
  );
  return { model: req.modelPath, threads: req.threads, rows, table };
}
