/**
 * The subset of the ONNX protobuf schema heatlens reads and writes, as a protobufjs JSON descriptor.
 * Field names and numbers are those of onnx/onnx.proto (proto2): repeated numeric fields are packed only
 * where onnx.proto says [packed = true] (TensorProto's data fields); protobufjs decodes both forms.
 * This is the only protobuf code in the project.
 */
import protobuf from 'protobufjs';

const repeated = (type: string, id: number, packed = false) => ({ rule: 'repeated', type, id, options: { packed } });

const descriptor = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            ir_version: { type: 'int64', id: 1 },
            opset_import: repeated('OperatorSetIdProto', 8),
            producer_name: { type: 'string', id: 2 },
            producer_version: { type: 'string', id: 3 },
            domain: { type: 'string', id: 4 },
            model_version: { type: 'int64', id: 5 },
            doc_string: { type: 'string', id: 6 },
            graph: { type: 'GraphProto', id: 7 },
            metadata_props: repeated('StringStringEntryProto', 14),
          },
        },
        OperatorSetIdProto: {
          fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } },
        },
        StringStringEntryProto: {
          fields: { key: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } },
        },
        GraphProto: {
          fields: {
            node: repeated('NodeProto', 1),
            name: { type: 'string', id: 2 },
            initializer: repeated('TensorProto', 5),
            doc_string: { type: 'string', id: 10 },
            input: repeated('ValueInfoProto', 11),
            output: repeated('ValueInfoProto', 12),
            value_info: repeated('ValueInfoProto', 13),
          },
        },
        NodeProto: {
          fields: {
            input: repeated('string', 1),
            output: repeated('string', 2),
            name: { type: 'string', id: 3 },
            op_type: { type: 'string', id: 4 },
            domain: { type: 'string', id: 7 },
            attribute: repeated('AttributeProto', 5),
            doc_string: { type: 'string', id: 6 },
          },
        },
        AttributeProto: {
          fields: {
            name: { type: 'string', id: 1 },
            ref_attr_name: { type: 'string', id: 21 },
            doc_string: { type: 'string', id: 13 },
            type: { type: 'int32', id: 20 },
            f: { type: 'float', id: 2 },
            i: { type: 'int64', id: 3 },
            s: { type: 'bytes', id: 4 },
            t: { type: 'TensorProto', id: 5 },
            g: { type: 'GraphProto', id: 6 },
            floats: repeated('float', 7),
            ints: repeated('int64', 8),
            strings: repeated('bytes', 9),
            tensors: repeated('TensorProto', 10),
            graphs: repeated('GraphProto', 11),
          },
        },
        ValueInfoProto: {
          fields: {
            name: { type: 'string', id: 1 },
            type: { type: 'TypeProto', id: 2 },
            doc_string: { type: 'string', id: 3 },
          },
        },
        TypeProto: {
          fields: {
            tensor_type: { type: 'TensorTypeProto', id: 1 },
            denotation: { type: 'string', id: 6 },
          },
        },
        TensorTypeProto: {
          fields: { elem_type: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } },
        },
        TensorShapeProto: {
          fields: { dim: repeated('Dimension', 1) },
        },
        Dimension: {
          // A oneof as in onnx.proto, so an explicit dim_value 0 (an empty axis) keeps its presence.
          oneofs: { value: { oneof: ['dim_value', 'dim_param'] } },
          fields: {
            dim_value: { type: 'int64', id: 1 },
            dim_param: { type: 'string', id: 2 },
            denotation: { type: 'string', id: 3 },
          },
        },
        TensorProto: {
          fields: {
            dims: repeated('int64', 1),
            data_type: { type: 'int32', id: 2 },
            float_data: repeated('float', 4, true),
            int32_data: repeated('int32', 5, true),
            string_data: repeated('bytes', 6),
            int64_data: repeated('int64', 7, true),
            name: { type: 'string', id: 8 },
            doc_string: { type: 'string', id: 12 },
            raw_data: { type: 'bytes', id: 9 },
            external_data: repeated('StringStringEntryProto', 13),
            data_location: { type: 'int32', id: 14 },
            double_data: repeated('double', 10, true),
            uint64_data: repeated('uint64', 11, true),
          },
        },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(descriptor);
export const ModelProto = root.lookupType('onnx.ModelProto');
/** For standalone tensor files (the ONNX backend tests' input_K.pb / output_K.pb). */
export const TensorProto = root.lookupType('onnx.TensorProto');

/** AttributeProto.AttributeType codes. */
export const ATTRIBUTE_TYPE = {
  FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8, TENSORS: 9, GRAPHS: 10,
} as const;

/** TensorProto.DataType codes. */
export const DATA_TYPE = {
  FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, STRING: 8, BOOL: 9, FLOAT16: 10,
  DOUBLE: 11, UINT32: 12, UINT64: 13, BFLOAT16: 16,
} as const;

/** The decoded-message shapes heatlens touches (protobufjs gives int64 as Long or number). */
export type Int64 = number | { toNumber(): number };
export interface TensorMsg {
  dims?: Int64[];
  data_type?: number;
  float_data?: number[];
  int32_data?: number[];
  int64_data?: Int64[];
  double_data?: number[];
  uint64_data?: Int64[];
  raw_data?: Uint8Array;
  name?: string;
  external_data?: { key: string; value: string }[];
  data_location?: number;
}
export interface AttributeMsg {
  name: string;
  type?: number;
  f?: number;
  i?: Int64;
  s?: Uint8Array;
  t?: TensorMsg;
  g?: unknown;
  floats?: number[];
  ints?: Int64[];
  strings?: Uint8Array[];
  tensors?: TensorMsg[];
  graphs?: unknown[];
}
export interface NodeMsg {
  input?: string[];
  output?: string[];
  name?: string;
  op_type?: string;
  domain?: string;
  attribute?: AttributeMsg[];
}
export interface DimensionMsg {
  dim_value?: Int64;
  dim_param?: string;
}
export interface ValueInfoMsg {
  name: string;
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: DimensionMsg[] } } };
}
export interface GraphMsg {
  node?: NodeMsg[];
  name?: string;
  initializer?: TensorMsg[];
  input?: ValueInfoMsg[];
  output?: ValueInfoMsg[];
  value_info?: ValueInfoMsg[];
}
export interface ModelMsg {
  ir_version?: Int64;
  opset_import?: { domain?: string; version?: Int64 }[];
  producer_name?: string;
  producer_version?: string;
  graph?: GraphMsg;
  metadata_props?: { key: string; value: string }[];
}

export const toNumber = (v: Int64 | undefined): number =>
  v === undefined ? 0 : typeof v === 'number' ? v : v.toNumber();
