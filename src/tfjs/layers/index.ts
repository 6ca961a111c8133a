/**
 * The layer-converter table, keyed by Keras class name (`class_name` in model.json). A class missing
 * here is reported, with every other missing class, before anything is built.
 */
import { activation } from './activation.js';
import { add } from './add.js';
import { averagePooling2d } from './averagePooling2d.js';
import { batchNormalization } from './batchNormalization.js';
import { concatenate } from './concatenate.js';
import { conv2d } from './conv2d.js';
import { dense } from './dense.js';
import { depthwiseConv2d } from './depthwiseConv2d.js';
import { dropout } from './dropout.js';
import { flatten } from './flatten.js';
import { globalAveragePooling2d } from './globalAveragePooling2d.js';
import { leakyRelu } from './leakyRelu.js';
import { maxPooling2d } from './maxPooling2d.js';
import { relu } from './relu.js';
import { reshape } from './reshape.js';
import { separableConv2d } from './separableConv2d.js';
import { softmax } from './softmax.js';
import type { LayerConverter } from './types.js';
import { zeroPadding2d } from './zeroPadding2d.js';

export const layerConverters: Readonly<Record<string, LayerConverter>> = {
  Conv2D: conv2d,
  DepthwiseConv2D: depthwiseConv2d,
  SeparableConv2D: separableConv2d,
  Dense: dense,
  BatchNormalization: batchNormalization,
  Activation: activation,
  ReLU: relu,
  LeakyReLU: leakyRelu,
  Softmax: softmax,
  MaxPooling2D: maxPooling2d,
  AveragePooling2D: averagePooling2d,
  GlobalAveragePooling2D: globalAveragePooling2d,
  Flatten: flatten,
  Reshape: reshape,
  ZeroPadding2D: zeroPadding2d,
  Add: add,
  Concatenate: concatenate,
  Dropout: dropout,
};

export const isKnownLayer = (className: string): boolean => Object.hasOwn(layerConverters, className);
