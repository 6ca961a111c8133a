/** Presets from files: a preset JSON, or the one beside a model. The format is in preset.ts. */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { HeatlensError } from '../errors.js';
import { fileErrorReason } from '../io/fileErrors.js';
import { type Preset, parsePreset } from './preset.js';

export function loadPresetFile(path: string): Preset {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new HeatlensError(`cannot read preset ${path}: ${fileErrorReason(e)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new HeatlensError(`preset ${path}: invalid JSON (${(err as Error).message})`);
  }
  return parsePreset(json, path);
}

/** The preset beside a model: `<name>.preset.json` for model `<name>.<ext>`, else `preset.json`. */
export function findPresetForModel(modelPath: string): Preset | undefined {
  const dir = dirname(modelPath);
  const stem = basename(modelPath, extname(modelPath));
  for (const candidate of [join(dir, `${stem}.preset.json`), join(dir, 'preset.json')]) {
    if (existsSync(candidate)) return loadPresetFile(candidate);
  }
  return undefined;
}
