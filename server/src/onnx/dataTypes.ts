/**
 * ONNX element types (TensorProto.DataType): their codes, the lower-case names the model
 * uses, their sizes, and which typed field of a TensorProto holds their values when an
 * exporter did not use `raw_data`.
 */
import type { ElementType } from "./model";

/** The repeated field of a TensorProto that holds a type's values, per the ONNX spec. */
export type TypedField = "floatData" | "int32Data" | "int64Data" | "doubleData" | "uint64Data" | "stringData";

interface DataTypeInfo {
  code: number;
  name: ElementType;
  /** Bits per element; 0 for strings, whose size varies. */
  bits: number;
  field: TypedField;
}

/**
 * Every type of onnx.proto. Complex numbers take two floats (or doubles) each; 16-bit and
 * 8-bit types, and the packed 4-bit and 2-bit ones, live in int32_data.
 */
const DATA_TYPES: readonly DataTypeInfo[] = [
  { code: 1, name: "float", bits: 32, field: "floatData" },
  { code: 2, name: "uint8", bits: 8, field: "int32Data" },
  { code: 3, name: "int8", bits: 8, field: "int32Data" },
  { code: 4, name: "uint16", bits: 16, field: "int32Data" },
  { code: 5, name: "int16", bits: 16, field: "int32Data" },
  { code: 6, name: "int32", bits: 32, field: "int32Data" },
  { code: 7, name: "int64", bits: 64, field: "int64Data" },
  { code: 8, name: "string", bits: 0, field: "stringData" },
  { code: 9, name: "bool", bits: 8, field: "int32Data" },
  { code: 10, name: "float16", bits: 16, field: "int32Data" },
  { code: 11, name: "double", bits: 64, field: "doubleData" },
  { code: 12, name: "uint32", bits: 32, field: "uint64Data" },
  { code: 13, name: "uint64", bits: 64, field: "uint64Data" },
  { code: 14, name: "complex64", bits: 64, field: "floatData" },
  { code: 15, name: "complex128", bits: 128, field: "doubleData" },
  { code: 16, name: "bfloat16", bits: 16, field: "int32Data" },
  { code: 17, name: "float8e4m3fn", bits: 8, field: "int32Data" },
  { code: 18, name: "float8e4m3fnuz", bits: 8, field: "int32Data" },
  { code: 19, name: "float8e5m2", bits: 8, field: "int32Data" },
  { code: 20, name: "float8e5m2fnuz", bits: 8, field: "int32Data" },
  { code: 21, name: "uint4", bits: 4, field: "int32Data" },
  { code: 22, name: "int4", bits: 4, field: "int32Data" },
  { code: 23, name: "float4e2m1", bits: 4, field: "int32Data" },
  { code: 24, name: "float8e8m0", bits: 8, field: "int32Data" },
  { code: 25, name: "uint2", bits: 2, field: "int32Data" },
  { code: 26, name: "int2", bits: 2, field: "int32Data" },
];

const BY_CODE = new Map(DATA_TYPES.map((info) => [info.code, info]));
const BY_NAME = new Map(DATA_TYPES.map((info) => [info.name, info]));

/** `float` for 1; `undefined` for 0 (unset); `data type 99` for codes this version does not know. */
export function elementTypeName(code: number): ElementType {
  if (code === 0) return "undefined";
  return BY_CODE.get(code)?.name ?? `data type ${code}`;
}

/** The code of a type name (`float` -> 1), or undefined for names that are not ONNX types. */
export function dataTypeCode(name: ElementType): number | undefined {
  return BY_NAME.get(name)?.code;
}

export function dataTypeInfo(name: ElementType): Readonly<DataTypeInfo> | undefined {
  return BY_NAME.get(name);
}

/** Bytes that `count` elements take in raw_data (sub-byte types are packed), or undefined for strings and unknown types. */
export function rawByteLength(name: ElementType, count: number): number | undefined {
  const info = BY_NAME.get(name);
  if (!info || info.bits === 0) return undefined;
  return Math.ceil((count * info.bits) / 8);
}
