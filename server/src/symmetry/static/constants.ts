/**
 * Constant tensors decoded to numbers (initializers, `Constant` nodes, tensor attributes), and
 * the conversion of a number to an element type, which Cast and folded arithmetic need.
 *
 * Decoding views the model's bytes where it can: a float weight is a Float32Array over the
 * file's buffer, not a copy. ONNX's raw_data is little-endian, as every host Node runs on.
 */
import type { Tensor } from "../../onnx/model";
import type { ConstantTensor } from "./facts";

type NumericArray = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

/** The typed array that views each directly readable element type. */
interface NumericArrayType {
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): NumericArray;
  BYTES_PER_ELEMENT: number;
}

const DIRECT_VIEWS: Readonly<Partial<Record<string, NumericArrayType>>> = {
  float: Float32Array,
  double: Float64Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
};

/** Element types whose bytes need converting, with the width of one element. */
const CONVERTED: Readonly<Partial<Record<string, { bytes: number; convert: (bytes: Uint8Array, count: number) => ArrayLike<number> }>>> = {
  int64: { bytes: 8, convert: (bytes, count) => Float64Array.from(view(BigInt64Array, bytes, count), Number) },
  uint64: { bytes: 8, convert: (bytes, count) => Float64Array.from(view(BigUint64Array, bytes, count), Number) },
  float16: { bytes: 2, convert: (bytes, count) => Float32Array.from(view(Uint16Array, bytes, count), float16FromBits) },
  bfloat16: { bytes: 2, convert: (bytes, count) => new Float32Array(Uint32Array.from(view(Uint16Array, bytes, count), (bits) => bits << 16).buffer) },
  bool: { bytes: 1, convert: (bytes, count) => Uint8Array.from(bytes.subarray(0, count), (byte) => (byte === 0 ? 0 : 1)) },
};

/**
 * The tensor's values as numbers (int64 beyond 2^53 rounds; no shape gets there). Undefined for
 * strings, external data, and the types not decoded (complex, 8-, 4- and 2-bit floats and ints).
 */
export function decodeTensor(tensor: Tensor): ConstantTensor | undefined {
  if (!tensor.raw) return undefined;
  const count = tensor.dims.reduce((total, size) => total * size, 1);
  const direct = DIRECT_VIEWS[tensor.elementType];
  const converted = CONVERTED[tensor.elementType];
  const width = direct?.BYTES_PER_ELEMENT ?? converted?.bytes;
  // The reader checks the byte count of every tensor; a short one here would be a reader bug, not a crash.
  if (width === undefined || tensor.raw.byteLength < count * width) return undefined;
  const values = direct ? view(direct, tensor.raw, count) : converted?.convert(tensor.raw, count);
  return values && { elementType: tensor.elementType, dims: tensor.dims, values };
}

/**
 * A typed view of the bytes; they are copied first when their offset does not suit the type's
 * alignment (with `new Uint8Array`: a Node Buffer's `slice` would not copy).
 */
function view<T>(type: { new (buffer: ArrayBufferLike, byteOffset: number, length: number): T; BYTES_PER_ELEMENT: number }, bytes: Uint8Array, count: number): T {
  const aligned = bytes.byteOffset % type.BYTES_PER_ELEMENT === 0 ? bytes : new Uint8Array(bytes);
  return new type(aligned.buffer, aligned.byteOffset, count);
}

/** A float16 value from its 16 bits. */
export function float16FromBits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** The range of each integer type, for conversions that must not silently wrap. */
const INTEGER_RANGES: Readonly<Record<string, [number, number]>> = {
  int8: [-(2 ** 7), 2 ** 7 - 1],
  uint8: [0, 2 ** 8 - 1],
  int16: [-(2 ** 15), 2 ** 15 - 1],
  uint16: [0, 2 ** 16 - 1],
  int32: [-(2 ** 31), 2 ** 31 - 1],
  uint32: [0, 2 ** 32 - 1],
  int64: [-(2 ** 63), 2 ** 63],
  uint64: [0, 2 ** 64],
};

/**
 * A number as the element type holds it: rounded to float, float16 or bfloat16, truncated
 * towards zero for integers (as Cast does), 0 or 1 for bool. Undefined where the result is
 * not defined (an integer out of range, NaN to an integer) or the type is not numeric.
 */
export function convertNumber(value: number, elementType: string): number | undefined {
  switch (elementType) {
    case "double":
      return value;
    case "float":
      return Math.fround(value);
    case "float16":
      return roundToFloat(value, 10, -14, 65504);
    case "bfloat16":
      return roundToFloat(value, 7, -126, 3.3895313892515355e38);
    case "bool":
      return value === 0 ? 0 : 1;
  }
  const range = INTEGER_RANGES[elementType];
  if (!range || !Number.isFinite(value)) return undefined;
  const truncated = Math.trunc(value);
  return truncated >= range[0] && truncated <= range[1] ? truncated : undefined;
}

/** Rounds to the nearest float with `mantissaBits` bits after the point (ties to even), as a narrower float type stores it. */
function roundToFloat(value: number, mantissaBits: number, minExponent: number, maxFinite: number): number {
  if (!Number.isFinite(value) || value === 0) return value;
  const magnitude = Math.abs(value);
  let exponent = Math.floor(Math.log2(magnitude));
  // log2 may land one off next to a power of two.
  if (2 ** exponent > magnitude) exponent--;
  else if (2 ** (exponent + 1) <= magnitude) exponent++;
  const quantum = 2 ** (Math.max(exponent, minExponent) - mantissaBits);
  const rounded = roundHalfToEven(magnitude / quantum) * quantum;
  return Math.sign(value) * (rounded > maxFinite ? Infinity : rounded);
}

function roundHalfToEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction !== 0.5) return Math.round(value);
  return floor % 2 === 0 ? floor : floor + 1;
}
