import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { OnnxReadError, readOnnxModel } from "../../server/src/onnx/reader";
import { GraphBuilder, floatTensor, int64Tensor, seededRandom } from "../support/onnxBuilder";

/** The OnnxReadError that reading `bytes` throws (fails the test on anything else). */
function readError(bytes: Uint8Array): OnnxReadError {
  try {
    readOnnxModel(bytes);
  } catch (error) {
    assert.ok(error instanceof OnnxReadError, `expected an OnnxReadError, got ${String(error)}`);
    return error;
  }
  assert.fail("the bytes were read as a model");
}

const ascii = (text: string) => new TextEncoder().encode(text);
const bytesOf = (...parts: (number[] | string)[]) =>
  Uint8Array.from(parts.flatMap((part) => (typeof part === "string" ? Array.from(ascii(part)) : part)));

describe("files that are not ONNX models", () => {
  test("an empty file", () => {
    assert.equal(readError(new Uint8Array(0)).message, "the file is empty (0 bytes), not an ONNX model");
  });

  const cases: [what: string, bytes: Uint8Array, message: string][] = [
    ["a PNG image", bytesOf([0x89], "PNG\r\n\x1a\n", [0, 0, 0, 13], "IHDR", [0, 0, 0, 16, 0, 0, 0, 16, 8, 6, 0, 0, 0]), "a PNG image"],
    ["a JPEG image", bytesOf([0xff, 0xd8, 0xff, 0xe0, 0, 16], "JFIF"), "a JPEG image"],
    ["a PyTorch checkpoint", bytesOf("PK\x03\x04", [20, 0, 0, 0], "archive/data.pkl"), "a ZIP archive (PyTorch .pt and .pth checkpoints are ZIP archives: export the model to ONNX first)"],
    ["a pickle", bytesOf([0x80, 0x04, 0x95, 0x10], "collections"), "a Python pickle (a PyTorch checkpoint?)"],
    ["a NumPy array", bytesOf([0x93], "NUMPY", [1, 0, 0x76, 0], "{'descr': '<f4'}"), "a NumPy .npy array"],
    ["gzip data", bytesOf([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]), "gzip-compressed data (decompress it first)"],
    ["a safetensors file", bytesOf([14, 0, 0, 0, 0, 0, 0, 0], '{"w":{"a":1}} '), "a safetensors file (weights only, without the graph)"],
    ["an ONNX Runtime model", bytesOf([0x14, 0, 0, 0], "ORTM", [0, 0, 0, 0]), "an ONNX Runtime .ort model (symcheck reads .onnx files)"],
    [
      "a Git LFS pointer",
      ascii("version https://git-lfs.github.com/spec/v1\noid sha256:4d7a\nsize 102400\n"),
      "a Git LFS pointer, not the model itself (run `git lfs pull`)",
    ],
    ["JSON", ascii('{"name": "resnet", "layers": [1, 2, 3]}'), 'JSON text starting "{\\"name\\": \\"resnet\\", \\"laye..."'],
    ["XML", ascii("<?xml version='1.0'?><net/>"), "XML or HTML text starting \"<?xml version='1.0'?><ne...\""],
    ["text", ascii("\n\nhello, this is not a model\n"), 'text starting "hello, this is not a mod..."'],
    ["short text", ascii("hi"), 'text starting "hi"'],
  ];
  for (const [what, bytes, holds] of cases) {
    test(`${what}`, () => {
      assert.equal(readError(bytes).message, `not an ONNX model: the file holds ${holds}`);
    });
  }

  test("random bytes of many lengths (seeded)", () => {
    const random = seededRandom(20240607);
    for (let sample = 0; sample < 300; sample++) {
      const length = 1 + Math.floor(random() * (sample < 200 ? 64 : 4096));
      const bytes = Uint8Array.from({ length }, () => Math.floor(random() * 256));
      const { message } = readError(bytes);
      if (bytes[0] !== 0x08) assert.match(message, /^not an ONNX model: the file holds (binary data starting|text starting)/);
    }
  });
});

/** A small model with a bit of everything: initializers, attributes, a subgraph, value infos. */
function smallModel(): Uint8Array {
  const branch = new GraphBuilder("branch").node("Constant", [], ["k"], { value: floatTensor([2], [1, 2]) }).output("k", "float", [2]);
  return new GraphBuilder("small")
    .input("x", "float", ["batch", 2])
    .input("flag", "bool", [])
    .initializer("w", floatTensor([2, 2], [1, 0, 0, 1]))
    .initializer("shape", int64Tensor([2], [-1, 2]))
    .node("MatMul", ["x", "w"], ["h"], {}, { name: "matmul" })
    .node("If", ["flag"], ["k"], { then_branch: branch, else_branch: branch })
    .node("Add", ["h", "k"], ["s"])
    .node("Reshape", ["s", "shape"], ["y"], { allowzero: 0 })
    .valueInfo("h", "float", ["batch", 2])
    .output("y", "float", ["batch", 2])
    .toModelBytes();
}

describe("truncated files", () => {
  test("a model cut at any byte says that the file ends early", () => {
    const bytes = smallModel();
    assert.ok(readOnnxModel(bytes).graph.nodes.length === 4);
    for (let cut = 2; cut < bytes.byteLength; cut++) {
      const { message } = readError(bytes.subarray(0, cut));
      assert.ok(message.startsWith(`the file ends early (truncated at byte ${cut}?): `), `cut at ${cut}: ${message}`);
    }
  });

  test("a model cut after its first byte is not taken for one", () => {
    assert.match(readError(smallModel().subarray(0, 1)).message, /^not an ONNX model: the file holds binary data starting 08$/);
  });
});

/** Protobuf wire format by hand, for inputs no writer would produce. */
function varint(value: number): number[] {
  const out: number[] = [];
  for (; value > 0x7f; value = Math.floor(value / 128)) out.push((value % 128) | 0x80);
  out.push(value);
  return out;
}
const lengthDelimited = (fieldNumber: number, payload: number[]) => [...varint((fieldNumber << 3) | 2), ...varint(payload.length), ...payload];
const IR_VERSION_8 = [0x08, 0x08];
const GRAPH = 7;
const GRAPH_NODE = 1;
const GRAPH_INITIALIZER = 5;
const NODE_ATTRIBUTE = 5;
const ATTRIBUTE_GRAPH = 6;
const TENSOR_DIMS = 1;

/** Reads `bytes` and expects an OnnxReadError matching `message`, in well under a second. */
function expectQuickError(bytes: Uint8Array, message: RegExp): void {
  const started = performance.now();
  assert.match(readError(bytes).message, message);
  assert.ok(performance.now() - started < 1000, "the reader took too long");
}

describe("hostile files", () => {
  test("a graph that claims 2 GB in a file of a few bytes", () => {
    expectQuickError(bytesOf(IR_VERSION_8, [0x3a, 0xff, 0xff, 0xff, 0xff, 0x07, 0x0a, 0x00]), /^the file ends early \(truncated at byte 10\?\)/);
  });

  test("a packed list that claims 2 GB inside a graph of the right length", () => {
    const tensor = [...varint((TENSOR_DIMS << 3) | 2), ...varint(2 ** 31), 0x01, 0x02];
    const graph = lengthDelimited(GRAPH_INITIALIZER, tensor);
    expectQuickError(bytesOf(IR_VERSION_8, lengthDelimited(GRAPH, graph)), /^the file ends early/);
  });

  test("a varint that never ends", () => {
    expectQuickError(bytesOf([0x08], new Array(40).fill(0xff)), /^not an ONNX model: the file holds binary data starting 08 ff ff/);
  });

  test("subgraphs nested hundreds of levels deep", () => {
    let graph: number[] = [];
    for (let level = 0; level < 500; level++) {
      const attribute = lengthDelimited(ATTRIBUTE_GRAPH, graph);
      graph = lengthDelimited(GRAPH_NODE, lengthDelimited(NODE_ATTRIBUTE, attribute));
    }
    expectQuickError(bytesOf(IR_VERSION_8, lengthDelimited(GRAPH, graph)), /nests subgraphs or types more than 100 protobuf levels deep/);
  });

  test("groups nested thousands of levels deep in an unknown field", () => {
    const START_GROUP_99 = [0x9b, 0x06];
    const END_GROUP_99 = [0x9c, 0x06];
    const groups = [...new Array(5000).fill(START_GROUP_99).flat(), ...new Array(5000).fill(END_GROUP_99).flat()];
    expectQuickError(bytesOf(IR_VERSION_8, groups), /nests subgraphs or types more than 100 protobuf levels deep/);
  });
});
