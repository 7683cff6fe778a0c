/**
 * A reader of NumPy `.npy` files (format versions 1, 2 and 3), for `input NAME from "FILE.npy"`:
 * little-endian float16/32/64, int32/64, uint8 and bool arrays in C order, read as float64 values.
 * Anything else gets an error that says what the file holds and what is read.
 */
import { readFile } from "node:fs/promises";
import { float16FromBits } from "../static/constants";

export interface NpyArray {
  shape: number[];
  data: Float64Array;
}

const MAGIC = "\x93NUMPY";

/** The element types read, by their NumPy descr without the byte order: bytes per value and how to read one. */
const DTYPES: Readonly<Record<string, { bytes: number; read(view: DataView, offset: number): number }>> = {
  f2: { bytes: 2, read: (view, offset) => float16FromBits(view.getUint16(offset, true)) },
  f4: { bytes: 4, read: (view, offset) => view.getFloat32(offset, true) },
  f8: { bytes: 8, read: (view, offset) => view.getFloat64(offset, true) },
  i4: { bytes: 4, read: (view, offset) => view.getInt32(offset, true) },
  i8: { bytes: 8, read: (view, offset) => Number(view.getBigInt64(offset, true)) },
  u1: { bytes: 1, read: (view, offset) => view.getUint8(offset) },
  b1: { bytes: 1, read: (view, offset) => (view.getUint8(offset) === 0 ? 0 : 1) },
};

const SUPPORTED = "float16, float32, float64, int32, int64, uint8 and bool (little-endian, C order)";

export async function readNpy(filePath: string): Promise<NpyArray> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(filePath);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message;
    throw new Error(`cannot read ${filePath}: ${reason}`);
  }
  return parseNpy(bytes, filePath);
}

/** The array in an .npy file's bytes; `name` is for messages. */
export function parseNpy(bytes: Uint8Array, name: string): NpyArray {
  const fail = (problem: string): never => {
    throw new Error(`${name} is not an .npy file that symcheck reads: ${problem}`);
  };
  if (bytes.length < 10 || String.fromCharCode(...bytes.subarray(0, 6)) !== MAGIC) fail("it does not start with the .npy magic string (\\x93NUMPY)");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  if (major < 1 || major > 3) fail(`format version ${major}.${bytes[7]} (versions 1 to 3 are read)`);
  const headerStart = major === 1 ? 10 : 12;
  if (bytes.length < headerStart) fail("the file ends inside its header");
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = headerStart + headerLength;
  if (bytes.length < dataStart) fail("the file ends inside its header");
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(bytes.subarray(headerStart, dataStart));

  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1] ?? fail(`its header has no 'descr': ${header.trim()}`);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1] ?? fail(`its header has no 'fortran_order': ${header.trim()}`);
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1] ?? fail(`its header has no 'shape': ${header.trim()}`);
  if (fortran === "True") fail("its array is in Fortran order (save it with numpy.ascontiguousarray first)");
  const byteOrder = descr[0];
  const dtype = DTYPES[descr.slice(1)];
  if (byteOrder === ">" && dtype && dtype.bytes > 1) fail(`its values are big-endian (${descr}); save them as '<${descr.slice(1)}'`);
  if (!dtype || !(["<", "|", "="].includes(byteOrder) || dtype.bytes === 1)) fail(`its values are ${descr}; the types read are ${SUPPORTED}`);

  const shape = shapeText
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map(Number);
  if (shape.some((size) => !Number.isInteger(size) || size < 0)) fail(`its shape (${shapeText}) is not a list of sizes`);
  const count = shape.reduce((product, size) => product * size, 1);
  if (bytes.length < dataStart + count * dtype.bytes) fail(`its shape (${shape.join(", ")}) needs ${count * dtype.bytes} bytes of data, and it has ${bytes.length - dataStart}`);
  const data = new Float64Array(count);
  for (let i = 0; i < count; i++) data[i] = dtype.read(view, dataStart + i * dtype.bytes);
  return { shape, data };
}
