/**
 * What a file that is not an ONNX model looks like, in words: users point specs at the wrong
 * file (a checkpoint, an image, a Git LFS pointer) more often than at a damaged model, and
 * "this is a ZIP archive" helps more than "invalid wire type".
 */

interface Signature {
  /** Bytes expected at `offset`. */
  magic: string | number[];
  offset?: number;
  kind: string;
}

const SIGNATURES: readonly Signature[] = [
  { magic: [0x89, 0x50, 0x4e, 0x47], kind: "a PNG image" },
  { magic: [0xff, 0xd8, 0xff], kind: "a JPEG image" },
  { magic: "GIF8", kind: "a GIF image" },
  { magic: "PK\x03\x04", kind: "a ZIP archive (PyTorch .pt and .pth checkpoints are ZIP archives: export the model to ONNX first)" },
  { magic: [0x1f, 0x8b], kind: "gzip-compressed data (decompress it first)" },
  { magic: [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59], kind: "a NumPy .npy array" },
  { magic: [0x89, 0x48, 0x44, 0x46], kind: "an HDF5 file (a Keras .h5 model?)" },
  { magic: "TFL3", offset: 4, kind: "a TensorFlow Lite model" },
  { magic: "ORTM", offset: 4, kind: "an ONNX Runtime .ort model (symcheck reads .onnx files)" },
  { magic: "version https://git-lfs", kind: "a Git LFS pointer, not the model itself (run `git lfs pull`)" },
];

/** How many leading bytes to show or quote. */
const PREVIEW_LENGTH = 24;

/** `a PNG image`, `JSON text starting "{"a": 1"`, `binary data starting 01 02 03`: what the bytes look like. */
export function describeContent(bytes: Uint8Array): string {
  const signature = SIGNATURES.find((candidate) => hasMagic(bytes, candidate));
  if (signature) return signature.kind;
  if (isPickle(bytes)) return "a Python pickle (a PyTorch checkpoint?)";
  if (isSafetensors(bytes)) return "a safetensors file (weights only, without the graph)";
  const text = leadingText(bytes);
  if (text !== undefined) {
    const quoted = JSON.stringify(text.length > PREVIEW_LENGTH ? `${text.slice(0, PREVIEW_LENGTH)}...` : text);
    if (/^\s*[{[]/.test(text)) return `JSON text starting ${quoted}`;
    if (/^\s*</.test(text)) return `XML or HTML text starting ${quoted}`;
    return `text starting ${quoted}`;
  }
  const hex = Array.from(bytes.subarray(0, 8), (byte) => byte.toString(16).padStart(2, "0")).join(" ");
  return `binary data starting ${hex}`;
}

function hasMagic(bytes: Uint8Array, { magic, offset = 0 }: Signature): boolean {
  const expected = typeof magic === "string" ? Array.from(magic, (char) => char.charCodeAt(0)) : magic;
  return expected.every((byte, index) => bytes[offset + index] === byte);
}

/** Pickle protocols 2 to 5 start with the PROTO opcode and the protocol number. */
function isPickle(bytes: Uint8Array): boolean {
  return bytes[0] === 0x80 && bytes[1] >= 2 && bytes[1] <= 5;
}

/** safetensors: an 8-byte little-endian header length, then a JSON header. */
function isSafetensors(bytes: Uint8Array): boolean {
  if (bytes.length < 10 || bytes[8] !== 0x7b /* { */) return false;
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  return headerLength > 0n && headerLength <= BigInt(bytes.length - 8);
}

/** The first line's start when the file begins with printable UTF-8 text, else undefined. */
function leadingText(bytes: Uint8Array): string | undefined {
  // A few bytes more than shown, so that a multi-byte character cut at the end is not taken for binary.
  const head = new TextDecoder("utf-8", { fatal: false }).decode(bytes.subarray(0, PREVIEW_LENGTH * 4));
  const body = head.replace(/\uFFFD+$/, "");
  if (body.length === 0 || /[\u0000-\u0008\u000e-\u001f\u007f\uFFFD]/.test(body)) return undefined;
  return body.split(/\r?\n/).find((line) => line.trim() !== "")?.trim() ?? body.trim();
}
