/**
 * The example specs and models under examples/: in step with their generator, and each model
 * declares the tensors its spec names, with the ranks the spec gives them.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, test } from "node:test";
import { buildExamples } from "../../scripts/make-examples";
import { describeType, modelInputs } from "../../server/src/onnx/model";
import { readOnnxModel } from "../../server/src/onnx/reader";

const examplesFolder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../examples");
const examples = buildExamples();

/** `input image [batch, channel, y, x]` lines of a spec: the tensor names and their axis counts. */
function declaredTensors(spec: string, keyword: "input" | "output"): [name: string, rank: number][] {
  const pattern = new RegExp(`^${keyword}\\s+(\\w+)\\s+\\[(.*)\\]`, "gm");
  return Array.from(spec.matchAll(pattern), (match) => [match[1], match[2].split(",").length]);
}

describe("examples", () => {
  test("the five examples of the language spec and one broken on purpose", () => {
    assert.deepEqual(
      examples.map((example) => `${example.name}.sym -> ${example.modelFile}`),
      [
        "tiny_cnn.sym -> tiny_cnn.onnx",
        "deepsets.sym -> deepsets.onnx",
        "molecule.sym -> egnn.onnx",
        "p4conv.sym -> p4conv.onnx",
        "vad.sym -> vad.onnx",
        "flatten_cnn.sym -> flatten_cnn.onnx",
      ],
    );
  });

  test("examples/ holds what scripts/make-examples.ts writes (run `npm run examples` after changing it)", () => {
    for (const example of examples) {
      assert.equal(readFileSync(path.join(examplesFolder, `${example.name}.sym`), "utf8"), example.spec, `${example.name}.sym`);
      assert.ok(Buffer.from(example.model).equals(readFileSync(path.join(examplesFolder, example.modelFile))), example.modelFile);
    }
  });

  for (const example of examples) {
    test(`${example.modelFile} has the inputs and outputs that ${example.name}.sym names, with a symbolic batch`, () => {
      const { graph } = readOnnxModel(example.model);
      assert.match(example.spec, new RegExp(`^model "${example.modelFile}"$`, "m"));
      const shapeOf = (name: string, values: typeof graph.inputs) => {
        const value = values.find((candidate) => candidate.name === name);
        assert.ok(value?.type?.kind === "tensor" && value.type.shape, `${example.modelFile} has no tensor "${name}" of known rank`);
        return value.type.shape;
      };
      const check = (keyword: "input" | "output", values: typeof graph.inputs) => {
        const declared = declaredTensors(example.spec, keyword);
        assert.deepEqual(values.map((value) => value.name).sort(), declared.map(([name]) => name).sort(), `${keyword}s`);
        for (const [name, rank] of declared) {
          const shape = shapeOf(name, values);
          assert.equal(shape.length, rank, `rank of ${name}: ${describeType(values.find((value) => value.name === name)?.type)}`);
          assert.deepEqual(shape[0], { kind: "symbolic", name: "batch" });
        }
      };
      check("input", modelInputs(graph));
      check("output", graph.outputs);
      assert.ok(example.model.byteLength < 16_000, `${example.modelFile} is small`);
    });
  }
});
