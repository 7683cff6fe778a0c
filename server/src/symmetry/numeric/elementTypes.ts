/**
 * ONNX element types as onnxruntime takes and gives them: float64 values cast to a model input's
 * type (floats rounded to nearest, integers rounded to nearest and clamped to the type's range,
 * bool as 0 or 1), and outputs read back as float64 values.
 */
import { convertNumber, float16FromBits } from "../static/constants";
import { concatenate, type Dense } from "./dense";
import type { RuntimeTensor } from "./types";

interface RuntimeType {
  /** onnxruntime's name for the type. */
  name: string;
  /** The float64 values (already cast) in the typed array onnxruntime takes. */
  pack(values: Float64Array): RuntimeTensor["data"];
  /** For integer types and bool: the range values are clamped to. */
  range?: readonly [number, number];
}

const RUNTIME_TYPES: Readonly<Record<string, RuntimeType>> = {
  float: { name: "float32", pack: (values) => Float32Array.from(values) },
  double: { name: "float64", pack: (values) => Float64Array.from(values) },
  float16: { name: "float16", pack: (values) => Uint16Array.from(values, float16Bits) },
  int8: { name: "int8", pack: (values) => Int8Array.from(values), range: [-(2 ** 7), 2 ** 7 - 1] },
  int16: { name: "int16", pack: (values) => Int16Array.from(values), range: [-(2 ** 15), 2 ** 15 - 1] },
  int32: { name: "int32", pack: (values) => Int32Array.from(values), range: [-(2 ** 31), 2 ** 31 - 1] },
  int64: { name: "int64", pack: (values) => BigInt64Array.from(values, (value) => BigInt(value)), range: [-(2 ** 53), 2 ** 53] },
  uint8: { name: "uint8", pack: (values) => Uint8Array.from(values), range: [0, 2 ** 8 - 1] },
  uint16: { name: "uint16", pack: (values) => Uint16Array.from(values), range: [0, 2 ** 16 - 1] },
  uint32: { name: "uint32", pack: (values) => Uint32Array.from(values), range: [0, 2 ** 32 - 1] },
  uint64: { name: "uint64", pack: (values) => BigUint64Array.from(values, (value) => BigInt(value)), range: [0, 2 ** 53] },
  bool: { name: "bool", pack: (values) => Uint8Array.from(values), range: [0, 1] },
};

function runtimeType(elementType: string, input?: string): RuntimeType {
  const known = RUNTIME_TYPES[elementType];
  if (!known) throw new Error(`${input ?? "an input"} is ${elementType}, which onnxruntime's JavaScript API cannot feed; the numeric check feeds ${Object.keys(RUNTIME_TYPES).join(", ")}`);
  return known;
}

/** Throws, naming the input, when the numeric check cannot feed its element type. */
export function checkFeedable(input: string, elementType: string): void {
  runtimeType(elementType, input);
}

/** A value as an input of the element type holds it. */
export function castValue(value: number, elementType: string): number {
  if (elementType === "double") return value;
  if (elementType === "float") return Math.fround(value);
  if (elementType === "float16") return convertNumber(value, "float16")!;
  const range = runtimeType(elementType).range!;
  return Number.isNaN(value) ? 0 : Math.min(Math.max(Math.round(value), range[0]), range[1]);
}

/** The tensor's values as the element type holds them (the values the model will see). */
export function castDense(x: Dense, elementType: string): Dense {
  return { shape: x.shape, data: castValues(x.data, elementType) };
}

/** castValue on every value, in a new array. */
export function castValues(values: Dense["data"], elementType: string): Float64Array {
  return castInPlace(Float64Array.from(values), elementType);
}

/** castValue on every value, overwriting them (for arrays just drawn: no copy of a large input); float32 and float64, the common cases, without a call per value. */
export function castInPlace(values: Float64Array, elementType: string): Float64Array {
  if (elementType === "double") return values;
  if (elementType === "float") {
    for (let i = 0; i < values.length; i++) values[i] = Math.fround(values[i]);
    return values;
  }
  for (let i = 0; i < values.length; i++) values[i] = castValue(values[i], elementType);
  return values;
}

/**
 * The tensors stacked along their first axis (their other axes agree), cast and packed as one
 * tensor to feed. Float32 and float64 parts that lie one after the other in one buffer (drawn
 * there, samples.ts) are fed as they lie, without a copy; others go straight into the runtime's
 * array (a typed array's `set` rounds as castValue does) without a float64 copy of the whole
 * stack first.
 */
export function stackedRuntimeTensor(parts: readonly Dense[], elementType: string): RuntimeTensor {
  const type = runtimeType(elementType);
  // One part (a row run alone) keeps its shape, a scalar's included.
  const dims = parts.length === 1 ? [...parts[0].shape] : [parts.reduce((rows, part) => rows + part.shape[0], 0), ...parts[0].shape.slice(1)];
  const length = parts.reduce((total, part) => total + part.data.length, 0);
  const adjoining = adjoiningView(parts, elementType === "float" ? Float32Array : elementType === "double" ? Float64Array : undefined, length);
  if (adjoining) return { type: type.name, dims, data: adjoining };
  if (parts.length === 1 && !(elementType === "float" || elementType === "double")) return { type: type.name, dims, data: type.pack(castValues(parts[0].data, elementType)) };
  const data = elementType === "float" ? new Float32Array(length) : elementType === "double" ? new Float64Array(length) : undefined;
  if (!data) return { type: type.name, dims, data: type.pack(castInPlace(concatenate(parts).data, elementType)) };
  let offset = 0;
  for (const part of parts) {
    data.set(part.data, offset);
    offset += part.data.length;
  }
  return { type: type.name, dims, data };
}

/** One view of the parts' data where they are arrays of the class that lie one after the other in one buffer. */
function adjoiningView(parts: readonly Dense[], array: Float32ArrayConstructor | Float64ArrayConstructor | undefined, length: number): Float32Array | Float64Array | undefined {
  if (!array || !parts.every((part) => part.data instanceof array)) return undefined;
  const first = parts[0].data;
  let end = first.byteOffset;
  for (const part of parts) {
    if (part.data.buffer !== first.buffer || part.data.byteOffset !== end) return undefined;
    end += part.data.byteLength;
  }
  return new array(first.buffer as ArrayBuffer, first.byteOffset, length);
}

/**
 * An output's values as numbers: float32 and float64 outputs as they come (every float32 is a
 * float64 exactly: no copy of the largest arrays a check handles); the others as float64 (int64
 * beyond 2^53 rounds; bool as 0 or 1; float16 decoded from its bits).
 */
export function fromRuntimeTensor(tensor: RuntimeTensor): Dense {
  const data = tensor.data;
  const values =
    data instanceof Float32Array || data instanceof Float64Array
      ? data
      : tensor.type === "float16" && data instanceof Uint16Array
        ? Float64Array.from(data, float16FromBits)
        : data instanceof BigInt64Array || data instanceof BigUint64Array
          ? Float64Array.from(data, Number)
          : Float64Array.from(data);
  return { shape: tensor.dims, data: values };
}

/** The 16 bits of a value that float16 holds exactly (castValue rounds it first). */
function float16Bits(value: number): number {
  if (Number.isNaN(value)) return 0x7e00;
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const magnitude = Math.abs(value);
  if (magnitude === Infinity) return sign | 0x7c00;
  // Subnormals (and zero) count in units of 2^-24.
  if (magnitude < 2 ** -14) return sign | Math.round(magnitude / 2 ** -24);
  let exponent = Math.floor(Math.log2(magnitude));
  if (2 ** exponent > magnitude) exponent--;
  else if (2 ** (exponent + 1) <= magnitude) exponent++;
  return sign | ((exponent + 15) << 10) | Math.round((magnitude / 2 ** exponent - 1) * 1024);
}
