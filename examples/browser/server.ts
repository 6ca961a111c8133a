/**
 * `npm run demo`: serves the browser demo (index.html + app.ts, bundled by esbuild) for a model, on
 * localhost. The server only serves files — the page compiles the model and runs the explained graph
 * itself, with heatlens/browser and onnxruntime-web:
 *   /                  index.html
 *   /app.js            the page script, bundled (onnxruntime-web stays a separate module: see below)
 *   /ort/…             onnxruntime-web's ES modules and WebAssembly files
 *   /model/model.onnx  the model's ONNX bytes (a TensorFlow.js model is converted first, as `heatlens convert`)
 *   /model/info.json   its name, preset (the preset file beside it, or --preset) and labels
 *   /sample            the image shown first
 * Responses carry COOP/COEP headers, so the page is cross-origin isolated and onnxruntime-web may use
 * WebAssembly threads. onnxruntime-web is loaded through index.html's import map (/ort/ort.min.mjs)
 * rather than bundled: its threads start workers from the URL of its own module, which must not be the
 * page script.
 */
import { readFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, dirname, extname, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { build } from 'esbuild';
import { DEFAULT_IMAGE, DEFAULT_MODEL } from '../../src/cli/defaults.js';
import { HeatlensError } from '../../src/errors.js';
import type { Preset } from '../../src/image/preset.js';
import { findPresetForModel, loadPresetFile } from '../../src/image/presetFile.js';
import { fileErrorReason } from '../../src/io/fileErrors.js';
import { numel } from '../../src/ir/tensor.js';
import { alignLabels, importModelFile, loadLabels, resolveModelPath } from '../../src/model/load.js';
import { encodeModel } from '../../src/onnx/write.js';
import { canonicalise } from '../../src/passes/canonicalise.js';

/** dist/examples/browser/ → the repository root, where index.html's source lives. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const HERE = dirname(fileURLToPath(import.meta.url));
const ORT_DIST = dirname(fileURLToPath(import.meta.resolve('onnxruntime-web')));

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.onnx': 'application/octet-stream',
};

/** The photos a browser decodes (the CLI's sharp reads these too). */
const IMAGE_TYPES: Readonly<Record<string, string>> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
};

interface Asset {
  contentType: string;
  body: Uint8Array | string;
}

export interface DemoOptions {
  /** An ONNX file, a TensorFlow.js model.json, or the folder holding one; default the built-in model. */
  model?: string;
  /** The image shown first; default the built-in sample. */
  image?: string;
  /** Preprocessing; default the preset file beside the model. */
  preset?: Preset;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
}

export interface DemoServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

function readAsset(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new HeatlensError(`cannot read ${what} ${path}: ${fileErrorReason(e)}`, 'E_INPUT');
  }
}

function imageTypeOf(path: string): string {
  const type = IMAGE_TYPES[extname(path).toLowerCase()];
  if (!type) throw new HeatlensError(`image ${path}: not a photo type a browser decodes ('${extname(path)}'; use ${Object.keys(IMAGE_TYPES).join(', ')})`, 'E_INPUT');
  return type;
}

/** The page's files, prepared before the server listens (so a bad model fails at start, in one line). */
async function assets(options: DemoOptions): Promise<Map<string, Asset>> {
  const modelPath = resolveModelPath(options.model ?? DEFAULT_MODEL);
  const imagePath = options.image ?? DEFAULT_IMAGE;
  const image = { contentType: imageTypeOf(imagePath), body: readAsset(imagePath, 'image') };
  // Read and checked here, so a bad model fails before the server listens; the page compiles it.
  const imported = importModelFile(modelPath);
  const onnx = modelPath.toLowerCase().endsWith('.json') ? encodeModel(imported) : readAsset(modelPath, 'model');
  const graph = canonicalise(imported);
  const preset = options.preset ?? findPresetForModel(modelPath);
  const labels = loadLabels(modelPath);
  const classes = numel(graph.values.get(graph.outputs[0])!.shape.slice(1));
  const info = { name: basename(dirname(modelPath)) + '/' + basename(modelPath), preset: preset ?? {}, labels: labels && alignLabels(labels, classes) };

  const bundle = await build({
    entryPoints: [join(HERE, 'app.js')], bundle: true, format: 'esm', platform: 'browser', target: 'es2022',
    external: ['onnxruntime-web'], write: false, logLevel: 'silent',
  });
  const html = readFileSync(join(ROOT, 'examples/browser/index.html'), 'utf8');
  return new Map<string, Asset>([
    ['/', { contentType: CONTENT_TYPES['.html'], body: html }],
    ['/app.js', { contentType: CONTENT_TYPES['.js'], body: bundle.outputFiles[0].contents }],
    ['/model/model.onnx', { contentType: CONTENT_TYPES['.onnx'], body: onnx }],
    ['/model/info.json', { contentType: CONTENT_TYPES['.json'], body: JSON.stringify(info) }],
    ['/sample', image],
  ]);
}

/** onnxruntime-web's own files, by base name only (no path from the request reaches the file system). */
function ortAsset(name: string): Asset | undefined {
  if (!/^ort[\w.-]*\.(mjs|wasm)$/.test(name)) return undefined;
  try {
    return { contentType: CONTENT_TYPES[extname(name)], body: readFileSync(join(ORT_DIST, name)) };
  } catch {
    return undefined;
  }
}

export async function startDemoServer(options: DemoOptions = {}): Promise<DemoServer> {
  const files = await assets(options);
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const asset = path.startsWith('/ort/') ? ortAsset(path.slice('/ort/'.length)) : files.get(path);
    const headers = {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cache-Control': 'no-store',
    };
    if (!asset || request.method !== 'GET') {
      response.writeHead(asset ? 405 : 404, { ...headers, 'Content-Type': 'text/plain' }).end(asset ? 'GET only' : 'not found');
      return;
    }
    response.writeHead(200, { ...headers, 'Content-Type': asset.contentType }).end(asset.body);
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE'
      ? new HeatlensError(`port ${options.port} is in use: pick another with --port`, 'E_USAGE')
      : e));
    server.listen(options.port ?? 8080, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/`,
    server,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function portNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`--port must be an integer in 0…65535, got '${value}'`);
  return n;
}

async function main(argv: string[]): Promise<number> {
  const program = new Command('npm run demo --')
    .description('serve the heatlens browser demo: the page compiles the model and explains images with onnxruntime-web')
    .option('-m, --model <file>', 'ONNX model or TensorFlow.js model.json, or its folder (default: the built-in CIFAR-10 CNN)')
    .option('-i, --image <file>', 'the image shown first (default: the built-in sample)')
    .option('--preset <file.json>', 'preprocessing (default: the preset file beside the model)')
    .option('--port <n>', 'port to listen on (0: any free one)', portNumber, 8080)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`heatlens demo: ${text.split('\n')[0]}\n`) });
  try {
    const flags = program.parse(argv, { from: 'user' }).opts<{ model?: string; image?: string; preset?: string; port: number; host: string }>();
    const demo = await startDemoServer({ ...flags, preset: flags.preset ? loadPresetFile(flags.preset) : undefined });
    console.log(`heatlens demo at ${demo.url} (Ctrl-C to stop)`);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (e instanceof HeatlensError) {
      console.error(`heatlens demo: error: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolvePath(process.argv[1])) {
  const code = await main(process.argv.slice(2));
  if (code !== 0) process.exit(code);
}
