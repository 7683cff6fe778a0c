/** Finding and loading the model: missing, unreadable and invalid files, and the `model` statement. */
import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { resolveModelPath } from "../../server/src/binding/modelPath";
import { parseSpec } from "../../server/src/dsl/parse";
import { externalTensor, GraphBuilder } from "../support/onnxBuilder";
import { applyFix, assertClean, bindFiles, codes, modelBytes, only, rebindWithFix, textAt } from "./fixtures";

const cnn = modelBytes([["image", [1, 3, 16, 16]]], [["logits", [1, 10]]]);
const BODY = `input  image  [batch, channel, y, x]
output logits [batch, class]
symmetry shift = translate(y, x)
invariant logits under shift
`;

test("resolveModelPath: a model statement's path is relative to the spec's folder", () => {
  const { spec } = parseSpec(`model "models/cnn.onnx"\n${BODY}`);
  const reference = resolveModelPath("/work/specs/net.sym", spec);
  assert.equal(reference?.path, "/work/specs/models/cnn.onnx");
  assert.equal(reference?.source, "statement");
  assert.deepEqual(reference?.range?.start, { line: 0, character: 0 });
});

test("resolveModelPath: absolute paths stay; the first model statement counts", () => {
  const { spec } = parseSpec(`model "/models/a.onnx"\nmodel "b.onnx"\n${BODY}`);
  assert.equal(resolveModelPath("/work/specs/net.sym", spec)?.path, "/models/a.onnx");
});

test("resolveModelPath: without a model statement, the .onnx file of the same name beside the spec", () => {
  const { spec } = parseSpec(BODY);
  assert.deepEqual(resolveModelPath(path.join("/work", "specs", "tiny.sym"), spec), { path: "/work/specs/tiny.onnx", source: "sibling" });
});

test("a missing model named by a model statement: on its path, with fixes naming the models beside the spec", async () => {
  const text = `model "tiny.onnx"\n${BODY}`;
  const files = { "tiny_cnn.onnx": cnn, "other.onnx": cnn };
  const options = { modelCandidates: ["other.onnx", "tiny_cnn.onnx"] };
  const bound = await bindFiles(text, files, options);
  const missing = only(bound, "bind.model-missing");
  assert.equal(bound.diagnostics.length, 1, "model-dependent checks are silent");
  assert.equal(textAt(text, missing.range), `"tiny.onnx"`);
  assert.equal(
    missing.message,
    `no model: \`tiny.onnx\` does not exist (looked for ${path.join(bound.folder, "tiny.onnx")}); models beside it: tiny_cnn.onnx and other.onnx`,
  );
  assert.deepEqual(
    missing.fixes?.map((fix) => [fix.title, fix.preferred]),
    [
      ["Use tiny_cnn.onnx", true],
      ["Use other.onnx", false],
    ],
  );
  assertClean(await rebindWithFix(bound, missing, files, options));
});

test("a missing sibling model: on the first line, explaining the sibling rule", async () => {
  const text = `# my classifier\n${BODY}`;
  const bound = await bindFiles(text, {});
  const missing = only(bound, "bind.model-missing");
  assert.equal(missing.message, "no model: this spec has no `model` line, so it uses net.onnx beside it, which does not exist");
  assert.equal(textAt(text, missing.range), "# my classifier");
  assert.equal(missing.fixes, undefined);
  assert.deepEqual(codes(bound), ["bind.model-missing"]);
});

test("a missing sibling model with candidates: a fix adds a model line before the first statement", async () => {
  const text = `# my classifier\n${BODY}`;
  const files = { "cnn.onnx": cnn };
  const bound = await bindFiles(text, files, { modelCandidates: ["cnn.onnx"] });
  const missing = only(bound, "bind.model-missing");
  assert.match(missing.message, /which does not exist; models beside it: cnn\.onnx$/);
  assert.equal(applyFix(text, missing.fixes?.[0]), `# my classifier\nmodel "cnn.onnx"\n${BODY}`);
  assertClean(await rebindWithFix(bound, missing, files));
});

test("a file that is not ONNX: the reader's message, once, on the model line", async () => {
  const text = `model "net.onnx"\n${BODY}`;
  const bound = await bindFiles(text, { "net.onnx": "hello, I am text" });
  const invalid = only(bound, "bind.model-invalid");
  assert.match(invalid.message, /^net\.onnx: not an ONNX model/);
  assert.equal(textAt(text, invalid.range), `"net.onnx"`);
  assert.deepEqual(codes(bound), ["bind.model-invalid"]);
  assert.equal(bound.bound.model, undefined);
  assert.deepEqual(bound.bound.tensors, []);
});

test("a truncated model with the sibling rule: one diagnostic on the first line", async () => {
  const text = `input image [batch, channel, y, x]\noutput logits [batch, class]\n`;
  const bound = await bindFiles(text, { "net.onnx": cnn.slice(0, cnn.length - 7) });
  assert.equal(bound.diagnostics.length, 1);
  assert.equal(bound.diagnostics[0].code, "bind.model-invalid");
  assert.equal(textAt(text, bound.diagnostics[0].range), "input image [batch, channel, y, x]");
});

test("a model path that is a folder is unreadable", async () => {
  const text = `model "."\n${BODY}`;
  const bound = await bindFiles(text, {});
  const unreadable = only(bound, "bind.model-unreadable");
  assert.match(unreadable.message, /it is a folder, not a file/);
});

test("model-independent errors are reported while the model is missing or invalid", async () => {
  const text = `input image [batch, y, x]
symmetry shift = translat(y, x)
symmetry flipx = flip(z)
invariant image under nothing
`;
  const folders: Record<string, string>[] = [{}, { "net.onnx": "not a model" }];
  for (const files of folders) {
    const bound = await bindFiles(text, files);
    assert.deepEqual(codes(bound).slice(1), ["bind.unknown-group", "bind.unknown-axis", "bind.claim-on-input", "bind.unknown-symmetry"]);
  }
});

test("a second model statement is an error, with a fix that removes it", async () => {
  const text = `model "net.onnx"\n${BODY}model "other.onnx"\n`;
  const files = { "net.onnx": cnn };
  const bound = await bindFiles(text, files);
  const extra = only(bound, "bind.duplicate-model");
  assert.equal(textAt(text, extra.range), `model "other.onnx"`);
  assert.equal(extra.severity, "error");
  assertClean(await rebindWithFix(bound, extra, files));
  assert.equal(bound.bound.modelPath, path.join(bound.folder, "net.onnx"), "the first model statement still counts");
});

test("a model with weights in external files: one note on the model line, naming the files", async () => {
  const external = new GraphBuilder("net")
    .input("image", "float", [1, 3, 16, 16])
    .initializer("w", externalTensor("float", [10, 3], "net.onnx.data", { offset: 0, length: 120 }))
    .initializer("b", externalTensor("float", [10], "net.onnx.data", { offset: 120, length: 40 }))
    .output("logits", "float", [1, 10])
    .toModelBytes();
  const text = `model "net.onnx"\n${BODY}`;
  const bound = await bindFiles(text, { "net.onnx": external });
  const note = only(bound, "bind.external-data");
  assert.equal(note.severity, "info");
  assert.equal(note.message, 'the model keeps 2 tensors in `net.onnx.data`, which symcheck does not read yet: static checks that need those weights say unknown');
  assert.equal(textAt(text, note.range), '"net.onnx"');
});
