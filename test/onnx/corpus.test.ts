/**
 * Every real model of the shared corpus (ONNX's own backend test data) reads, with sane results.
 * CI clones the repo to another folder with shared/ beside it, so the corpus is found relative to
 * the repo root; a missing corpus fails the test rather than skipping it.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, test } from "node:test";
import { describeType, modelInputs, type Graph, type OnnxModel } from "../../server/src/onnx/model";
import { readOnnxModel } from "../../server/src/onnx/reader";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const corpus = path.resolve(repoRoot, "../shared/corpus/onnx");
/** The corpus's size when these tests were written (its README). */
const CORPUS_FILE_COUNT = 149;

function corpusFiles(): string[] {
  assert.ok(existsSync(corpus), `the ONNX corpus is missing: expected it at ${corpus} (shared/ beside the repo)`);
  return readdirSync(corpus, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".onnx"))
    .sort();
}

function read(file: string): OnnxModel {
  return readOnnxModel(readFileSync(path.join(corpus, file)));
}

/** Names of node inputs that nothing before them provides (a graph input, an initializer, an earlier node). */
function unprovidedInputs(graph: Graph): string[] {
  const known = new Set([...graph.inputs.map((input) => input.name), ...graph.initializers.keys()]);
  const missing: string[] = [];
  for (const node of graph.nodes) {
    missing.push(...node.inputs.filter((input) => input !== "" && !known.has(input)));
    node.outputs.forEach((output) => known.add(output));
  }
  return missing;
}

function opTypeCounts(graph: Graph): Map<string, number> {
  const counts = new Map<string, number>();
  for (const node of graph.nodes) counts.set(node.opType, (counts.get(node.opType) ?? 0) + 1);
  return counts;
}

describe("the shared corpus of real ONNX files", () => {
  test(`holds all ${CORPUS_FILE_COUNT} files, and every one reads with sane results`, () => {
    const files = corpusFiles();
    assert.ok(files.length >= CORPUS_FILE_COUNT, `found only ${files.length} .onnx files in ${corpus}`);
    for (const file of files) {
      const model = read(file);
      const { graph } = model;
      assert.ok(model.irVersion >= 3, `${file}: IR version ${model.irVersion}`);
      assert.ok(model.opsetImports.length > 0, `${file}: no opset imports`);
      assert.ok(graph.nodes.length > 0, `${file}: no nodes`);
      assert.ok(graph.outputs.length > 0 && graph.outputs.every((output) => output.name !== ""), `${file}: unnamed outputs`);
      assert.ok(graph.nodes.every((node) => node.name !== "" && node.opType !== ""), `${file}: a node without a name or type`);
      assert.deepEqual(unprovidedInputs(graph), [], `${file}: node inputs that nothing provides`);
      assert.deepEqual(model.externalData, [], `${file}: external data`);
    }
  });

  test("ResNet-50 (Caffe2, old-style): Conv nodes, one 4-D float input, weights listed as inputs", () => {
    const model = read("light/light_resnet50.onnx");
    assert.deepEqual(model.opsetImports, [{ domain: "", version: 9 }]);
    const ops = opTypeCounts(model.graph);
    assert.equal(ops.get("Conv"), 53);
    assert.equal(ops.get("Gemm"), 1);
    const inputs = modelInputs(model.graph);
    assert.deepEqual(
      inputs.map((input) => `${input.name}: ${describeType(input.type)}`),
      ["gpu_0/data_0: float[1, 3, 224, 224]"],
    );
    assert.ok(model.graph.inputs.length > 200, "the shape tensors of the weights are also graph inputs");
    assert.deepEqual(model.graph.outputs.map((output) => `${output.name}: ${describeType(output.type)}`), ["gpu_0/softmax_1: float[1, 1000]"]);
  });

  test("SqueezeNet: Concat of fire modules and a global average pool", () => {
    const { graph } = read("light/light_squeezenet.onnx");
    const ops = opTypeCounts(graph);
    assert.equal(ops.get("Conv"), 26);
    assert.equal(ops.get("Concat"), 8);
    assert.equal(ops.get("GlobalAveragePool"), 1);
    assert.equal(describeType(modelInputs(graph)[0].type), "float[1, 3, 224, 224]");
  });

  test("a PyTorch Conv1d: attributes and weights decoded", () => {
    const { graph } = read("pytorch-converted/test_Conv1d.onnx");
    assert.deepEqual(graph.nodes.map((node) => node.opType), ["Conv"]);
    const conv = graph.nodes[0];
    assert.deepEqual(conv.attributes.get("kernel_shape"), { type: "ints", value: [3] });
    assert.deepEqual(conv.attributes.get("strides"), { type: "ints", value: [1] });
    const weight = graph.initializers.get(conv.inputs[1])!;
    assert.deepEqual([weight.elementType, weight.dims, weight.raw?.byteLength], ["float", [5, 4, 3], 240]);
  });

  test("string tensors of a StringNormalizer", () => {
    const { graph } = read("simple/test_strnorm_model_monday_casesensintive_lower.onnx");
    assert.equal(describeType(graph.inputs[0].type), "string[4]");
    assert.deepEqual(graph.nodes[0].attributes.get("stopwords"), { type: "strings", value: ["monday"] });
  });

  test("a real model cut short says so, wherever it is cut", () => {
    const bytes = readFileSync(path.join(corpus, "light/light_squeezenet.onnx"));
    for (let step = 1; step < 40; step++) {
      const cut = Math.floor((bytes.byteLength * step) / 40);
      assert.throws(() => readOnnxModel(bytes.subarray(0, cut)), {
        name: "OnnxReadError",
        message: new RegExp(`^the file ends early \\(truncated at byte ${cut}\\?\\)`),
      });
    }
  });
});
