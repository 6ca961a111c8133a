/**
 * `heatlens bench`: each configuration (inference alone, then each method) runs in its own child
 * process, so peak memory is per configuration and one session's arena does not skew the next.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { HeatlensError } from '../errors.js';
import { methodByName } from '../methods/index.js';
import type { Measurement } from './measure.js';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../../bin/heatlens.js', import.meta.url));

export interface BenchRequest {
  modelPath: string;
  methods: string[];
  iters: number;
  warmup: number;
  threads: number;
}

export interface BenchReport {
  model: string;
  threads: number;
  rows: (Measurement & { ratio: number })[];
  table: string;
}

export async function measureInChild(modelPath: string, config: string, iters: number, warmup: number, threads: number): Promise<Measurement> {
  try {
    const { stdout } = await run(process.execPath, [cli, 'bench-one', '--model', modelPath, '--config', config,
      '--iters', String(iters), '--warmup', String(warmup), '--threads', String(threads)], { maxBuffer: 1 << 20 });
    return JSON.parse(stdout) as Measurement;
  } catch (e) {
    const stderr = (e as { stderr?: string }).stderr?.trim().split('\n')[0];
    throw new HeatlensError(`benchmark of ${config} on ${modelPath} failed: ${stderr || (e as Error).message}`, 'E_BENCH');
  }
}

export function formatTable(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(headers), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}

export async function runBench(req: BenchRequest): Promise<BenchReport> {
  req.methods.forEach((m) => methodByName(m.split('+')[0]));
  const configs = ['inference', ...req.methods];
  const rows: BenchReport['rows'] = [];
  let inference = NaN;
  for (const config of configs) {
    const m = await measureInChild(req.modelPath, config, req.iters, req.warmup, req.threads);
    if (config === 'inference') inference = m.medianMs;
    rows.push({ ...m, ratio: m.medianMs / inference });
  }
  const table = formatTable(
    ['configuration', 'median ms', 'p10 ms', 'p90 ms', '× inference', 'peak RSS MB', 'graph MB'],
    rows.map((r) => [r.config, r.medianMs.toFixed(3), r.p10Ms.toFixed(3), r.p90Ms.toFixed(3), r.ratio.toFixed(2), r.peakRssMB.toFixed(0), (r.modelBytes / 1e6).toFixed(2)]),
  );
  return { model: req.modelPath, threads: req.threads, rows, table };
}
