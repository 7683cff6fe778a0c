/**
 * The model is a file the user regenerates (re-exporting from PyTorch): an open spec must be
 * re-checked when its model changes on disk, without touching the spec.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { suite, suiteSetup, test } from "mocha";
import { activateSymcheck, describeDiagnostics, errorsOf, exampleText, openSpec, rewriteFile, waitForDiagnostics, workspaceFile, writeSpec } from "./helpers";

suite("model changed on disk", () => {
  suiteSetup(activateSymcheck);

  test("rewriting the model re-checks the open spec, both ways", async () => {
    const model = workspaceFile("regenerated.onnx");
    const tinyCnn = fs.readFileSync(workspaceFile("tiny_cnn.onnx"));
    const deepSets = fs.readFileSync(workspaceFile("deepsets.onnx"));
    fs.writeFileSync(model, tinyCnn);
    const spec = exampleText("tiny_cnn.sym").replace('model "tiny_cnn.onnx"', 'model "regenerated.onnx"');
    const { document, diagnostics } = await openSpec(writeSpec("regenerated.sym", spec));
    assert.equal(describeDiagnostics(diagnostics), "(none)");

    // A different network under the same file name: the spec's `image` input no longer exists.
    rewriteFile(model, deepSets);
    const broken = await waitForDiagnostics(
      document.uri,
      (now) => errorsOf(now).some((error) => /image/.test(error.message)),
      "an error about the input `image` once the model lost it",
    );
    assert.ok(!document.isDirty, "the spec itself was not touched");
    const imageError = errorsOf(broken).find((error) => /image/.test(error.message));
    assert.equal(imageError?.range.start.line, document.getText().split("\n").findIndex((line) => /^input\s+image\b/.test(line)));

    rewriteFile(model, tinyCnn);
    await waitForDiagnostics(document.uri, (now) => now.length === 0, "the errors to clear once the model is restored");
  });

  test("deleting the model says so on the model line; restoring it clears that", async () => {
    const model = workspaceFile("deleted.onnx");
    const tinyCnn = fs.readFileSync(workspaceFile("tiny_cnn.onnx"));
    fs.writeFileSync(model, tinyCnn);
    const spec = exampleText("tiny_cnn.sym").replace('model "tiny_cnn.onnx"', 'model "deleted.onnx"');
    const { document, diagnostics } = await openSpec(writeSpec("deleted.sym", spec));
    assert.equal(describeDiagnostics(diagnostics), "(none)");

    fs.rmSync(model);
    const missing = await waitForDiagnostics(document.uri, (now) => errorsOf(now).length > 0, "an error once the model is deleted");
    const modelLine = document.getText().split("\n").findIndex((line) => line.startsWith("model "));
    assert.deepEqual(
      errorsOf(missing).map((error) => error.range.start.line),
      [modelLine],
      `one error, on the model line: ${describeDiagnostics(missing)}`,
    );

    fs.writeFileSync(model, tinyCnn);
    await waitForDiagnostics(document.uri, (now) => now.length === 0, "the error to clear once the model is back");
  });
});
