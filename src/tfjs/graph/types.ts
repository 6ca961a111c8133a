/**
 * The JSON that tfjs-converter writes for a TensorFlow.js Graph model (`model.json` with format
 * 'graph-model'): `modelTopology` is a TensorFlow GraphDef in the proto3 JSON mapping (int64 as strings,
 * bytes as base64), the weights of every Const node are listed, by the node's name, in
 * `weightsManifest`.
 */
import type { WeightGroup } from '../weights.js';

export interface TfShapeJson {
  readonly dim?: readonly { readonly size?: string | number; readonly name?: string }[];
  readonly unknownRank?: boolean;
}

/** tensorflow.AttrValue: exactly one field is set. */
export interface TfAttrValue {
  readonly s?: string;
  readonly i?: string | number;
  readonly f?: number | string;
  readonly b?: boolean;
  readonly type?: string;
  readonly shape?: TfShapeJson;
  readonly tensor?: unknown;
  readonly func?: { readonly name?: string };
  readonly placeholder?: string;
  readonly list?: {
    readonly s?: readonly string[];
    readonly i?: readonly (string | number)[];
    readonly f?: readonly (number | string)[];
    readonly b?: readonly boolean[];
    readonly type?: readonly string[];
    readonly shape?: readonly TfShapeJson[];
  };
}

/** tensorflow.NodeDef. Inputs are 'node', 'node:k' (output k) or '^node' (control dependency). */
export interface TfNodeDef {
  readonly name: string;
  readonly op: string;
  readonly input?: readonly string[];
  readonly attr?: Readonly<Record<string, TfAttrValue>>;
  readonly device?: string;
}

export interface TfSignatureEntry {
  readonly name: string;
  readonly dtype?: string;
  readonly tensorShape?: TfShapeJson;
}

export interface GraphModelJson {
  readonly format?: string;
  readonly generatedBy?: string;
  readonly convertedBy?: string | null;
  readonly modelTopology: {
    readonly node: readonly TfNodeDef[];
    readonly library?: { readonly function?: readonly unknown[] };
    readonly versions?: unknown;
  };
  readonly weightsManifest: readonly WeightGroup[];
  readonly signature?: {
    readonly inputs?: Readonly<Record<string, TfSignatureEntry>>;
    readonly outputs?: Readonly<Record<string, TfSignatureEntry>>;
  };
  readonly userDefinedMetadata?: Readonly<Record<string, unknown>>;
}
