/** Running the `heatlens` command line as a user does (`node bin/heatlens.js …` in a child process). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = join(fileURLToPath(new URL('../../../', import.meta.url)), 'bin', 'heatlens.js');

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function heatlens(args: string[], cwd: string): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The bad-input contract: a non-zero exit, exactly one line on stderr starting 'heatlens: error: ' and
 * matching `message`, no stack trace, nothing on stdout, and no output or temporary file left in `dir`.
 */
export function assertFailedCleanly(r: Run, dir: string, message: RegExp): void {
  assert.notEqual(r.status, 0, `expected a non-zero exit; stdout: ${r.stdout}`);
  assert.ok(r.stderr.endsWith('\n'), `stderr should end with a newline: ${JSON.stringify(r.stderr)}`);
  const lines = r.stderr.slice(0, -1).split('\n');
  assert.equal(lines.length, 1, `stderr should be one line:\n${r.stderr}`);
  assert.ok(lines[0].startsWith('heatlens: error: '), `stderr should start with 'heatlens: error: ': ${lines[0]}`);
  assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
  assert.match(lines[0], message);
  assert.equal(r.stdout, '', 'nothing on stdout');
  assert.deepEqual(readdirSync(dir), [], 'no output or temporary file is left');
}
