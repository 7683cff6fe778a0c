/**
 * The examples of the language's spec (dsl.md), bound to models of the shapes they describe:
 * no diagnostics, and a BoundSpec that says what the spec means.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { SPEC_EXAMPLES } from "../support/specExamples";
import { assertClean, bindFiles, modelBytes } from "./fixtures";

const { tinyCnn: TINY_CNN, deepsets: DEEPSETS, molecule: MOLECULE, p4conv: P4CONV, vad: VAD } = SPEC_EXAMPLES;

const models = {
  "tiny_cnn.onnx": modelBytes([["image", ["batch", 3, 16, 16]]], [["logits", ["batch", 10]]]),
  "deepsets.onnx": modelBytes([["points", [2, 5, 3]]], [["pooled", [2, 4]], ["scores", [2, 5]]]),
  "egnn.onnx": modelBytes([["pos", [1, 6, 3]], ["charge", [1, 6]]], [["energy", [1]], ["force", [1, 6, 3]]]),
  "p4conv.onnx": modelBytes([["image", [1, 3, 8, 8]]], [["feat", [1, 4, 6, 8, 8]]]),
  "vad.onnx": modelBytes([["audio", [1, 1600]]], [["speech", [1, 10]]]),
};

for (const [name, text] of Object.entries({ TINY_CNN, DEEPSETS, MOLECULE, P4CONV, VAD })) {
  test(`the ${name.toLowerCase()} example binds without diagnostics`, async () => {
    const bound = await bindFiles(text, models);
    assertClean(bound);
    assert.ok(bound.bound.model, "the model is in the bound spec");
    assert.ok(bound.bound.claims.length > 0, "its claims are bound");
  });
}

test("tiny_cnn: sizes come from static dims and the check block, settings from the block", async () => {
  const { bound, folder } = await bindFiles(TINY_CNN, models);
  assert.equal(bound.modelPath, `${folder}/tiny_cnn.onnx`);
  const [image, logits] = bound.tensors;
  assert.equal(image.direction, "input");
  assert.equal(image.elementType, "float");
  assert.deepEqual(
    image.axes.map((axis) => [axis.name, axis.size, axis.modelDim, axis.kind]),
    [
      ["batch", 2, "batch", "plain"],
      ["channel", 3, "3", "plain"],
      ["y", 16, "16", "plain"],
      ["x", 16, "16", "plain"],
    ],
  );
  assert.equal(logits.direction, "output");
  assert.deepEqual(
    logits.axes.map((axis) => [axis.name, axis.size]),
    [
      ["batch", 2],
      ["class", 10],
    ],
  );
  assert.deepEqual(bound.symmetries.get("shift")?.group, { kind: "translate", axes: ["y", "x"], step: 1, margin: 0 });
  assert.deepEqual(bound.symmetries.get("turn")?.group, { kind: "rotate90", axes: ["y", "x"] });
  assert.deepEqual(
    bound.claims.map((claim) => [claim.kind, claim.outputs, claim.symmetries, claim.tolerance]),
    [
      ["invariant", ["logits"], ["shift"], undefined],
      ["invariant", ["logits"], ["turn"], 1e-3],
    ],
  );
  assert.equal(bound.check.samples, 16);
  assert.equal(bound.check.seed, 0);
  assert.equal(bound.check.tolerance, undefined);
  assert.deepEqual([...bound.check.sizes], [["batch", 2]]);
  assert.deepEqual([...bound.check.inputs], []);
});

test("molecule: axis kinds as written (vector where rotated), rotation groups with their reflections and translations", async () => {
  const { bound } = await bindFiles(MOLECULE, models);
  const kinds = Object.fromEntries(bound.tensors.map((tensor) => [tensor.name, tensor.axes.map((axis) => axis.kind)]));
  assert.deepEqual(kinds, {
    pos: ["plain", "plain", "point"],
    charge: ["plain", "plain"],
    energy: ["plain"],
    force: ["plain", "plain", "vector"],
  });
  assert.deepEqual(bound.symmetries.get("rigid")?.group, { kind: "rotation", constructor: "E", axis: "xyz", reflections: true, translations: true });
  assert.deepEqual(bound.symmetries.get("relabel")?.group, { kind: "permute", axis: "atom" });
  assert.deepEqual(
    bound.claims.map((claim) => [claim.kind, claim.outputs, claim.symmetries, claim.tolerance]),
    [
      ["invariant", ["energy"], ["rigid", "relabel"], undefined],
      ["equivariant", ["force"], ["rigid", "relabel"], 1e-3],
    ],
  );
});

test("p4conv: an axis whose kind names a finite symmetry carries its regular representation", async () => {
  const { bound } = await bindFiles(P4CONV, models);
  const feat = bound.tensors.find((tensor) => tensor.name === "feat");
  const orient = feat?.axes[1];
  assert.equal(orient?.kind, "regular");
  assert.equal(orient?.regularOf, "turn");
  assert.equal(orient?.size, 4);
});

test("vad: a value group lists its tensors", async () => {
  const { bound } = await bindFiles(VAD, models);
  assert.deepEqual(bound.symmetries.get("polarity")?.group, { kind: "negate", tensors: ["audio"] });
  assert.equal(bound.claims[0].tolerance, 1e-3);
});
