/** The `heatlens` command line. */
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { HeatlensError } from '../errors.js';
import { compileCommand } from './compileCommand.js';
import { convertCommand } from './convertCommand.js';
import { benchCommand, benchMemoryCommand, benchTimeCommand } from './benchCommand.js';
import { explainCommand } from './explainCommand.js';
import { inspectCommand } from './inspectCommand.js';

/** The package's version, from package.json (dist/src/cli/ → the repository root). */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

export async function main(argv: string[]): Promise<number> {
  const verbose = argv.includes('--verbose');
  // commander's messages read 'error: …'; one line, prefixed like every other heatlens error.
  const output = { outputError: (text: string, write: (s: string) => void) => write(`heatlens: ${text.split('\n')[0]}\n`) };
  const program = new Command('heatlens')
    .description('compile-time feature attribution for CNNs: one static ONNX graph returns the prediction and its heat map')
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('--verbose', 'print stack traces on errors')
    .exitOverride()
    .configureOutput(output);
  for (const cmd of [explainCommand(), compileCommand(), convertCommand(), benchCommand(), inspectCommand()]) {
    cmd.option('--verbose', 'print stack traces on errors').exitOverride().configureOutput(output);
    program.addCommand(cmd);
  }
  program.addCommand(benchTimeCommand().exitOverride().configureOutput(output), { hidden: true });
  program.addCommand(benchMemoryCommand().exitOverride().configureOutput(output), { hidden: true });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (e instanceof HeatlensError) {
      console.error(`heatlens: error: ${e.message}`);
      if (verbose) console.error(e.stack);
      return 1;
    }
    const err = e as Error;
    console.error(`heatlens: internal error: ${err.message?.split('\n')[0] ?? String(e)}${verbose ? '' : ' (run with --verbose for details)'}`);
    if (verbose) console.error(err.stack);
    return 2;
  }
}
