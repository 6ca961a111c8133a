/** The models every benchmark command times (bench.ts, web.ts): the built-in CNN and those of ../shared. */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../', import.meta.url));
export const shared = join(root, '../shared');

export interface BenchModel {
  name: string;
  /** The case name of tools/bench_torch.py and of the command line's model filter. */
  torchCase: string;
  path: string;
  input: string;
  /** Timed runs per configuration of onnxruntime-node at 2 threads. */
  iters: number;
}

export const MODELS: BenchModel[] = [
  { name: 'default (heatlens CIFAR-10 CNN)', torchCase: 'default', path: join(root, 'models/default/model.onnx'), input: '1×3×32×32', iters: 200 },
  { name: 'resnet20-cifar10', torchCase: 'resnet20', path: join(shared, 'models/resnet20-cifar10/model.onnx'), input: '1×3×32×32', iters: 200 },
  { name: 'darknet-tiny-imagenet', torchCase: 'darknet-tiny', path: join(shared, 'models/darknet-tiny-imagenet/model.onnx'), input: '1×3×224×224', iters: 30 },
  { name: 'mobilenet-v1-025-imagenet', torchCase: 'mobilenet-v1-025', path: join(shared, 'models/mobilenet-v1-025-imagenet/model.onnx'), input: '1×3×224×224', iters: 100 },
  { name: 'torchvision resnet18 (random weights)', torchCase: 'resnet18', path: join(root, 'test/fixtures/generated/resnet18/model.onnx'), input: '1×3×224×224', iters: 20 },
];
