/**
 * Diagnostics as VS Code shows them: in the Problems panel and as squiggles, on the right line,
 * with the right severity and message, and gone once the user fixes the spec.
 */
import * as assert from "node:assert/strict";
import { suite, suiteSetup, test } from "mocha";
import * as vscode from "vscode";
import { withMisspelledSymmetry } from "../fixtures";
import { activateSymcheck, describeDiagnostics, errorsOf, exampleText, openSpec, rangeOf, waitForDiagnostics, writeSpec } from "./helpers";

/** The tiny_cnn example with its first claim naming a symmetry that does not exist. */
function misspelledSymmetrySpec(): string {
  return withMisspelledSymmetry(exampleText("tiny_cnn.sym"));
}

suite("diagnostics", () => {
  suiteSetup(activateSymcheck);

  test("an example spec bound to its model shows no problems", async () => {
    const { diagnostics } = await openSpec(writeSpec("clean.sym", exampleText("tiny_cnn.sym")));
    assert.equal(describeDiagnostics(diagnostics), "(none)");
  });

  test("a binding error is reported on its own line, as an error, with a suggestion", async () => {
    const { document, diagnostics } = await openSpec(writeSpec("misspelled.sym", misspelledSymmetrySpec()));
    const errors = errorsOf(diagnostics);
    assert.equal(errors.length, 1, `one error expected, got: ${describeDiagnostics(diagnostics)}`);
    const [error] = errors;
    assert.deepEqual(error.range, rangeOf(document, "shfit"), "the error should underline the unknown name exactly");
    assert.match(error.message, /shfit/, "the message should name what is unknown");
    assert.match(error.message, /shift/, "the message should suggest the declared symmetry");
    assert.equal(error.source, "symcheck");
  });

  test("fixing the spec in the editor clears the error without saving", async () => {
    const { document, diagnostics } = await openSpec(writeSpec("fixed-by-edit.sym", misspelledSymmetrySpec()));
    assert.equal(errorsOf(diagnostics).length, 1, describeDiagnostics(diagnostics));
    const fix = new vscode.WorkspaceEdit();
    fix.replace(document.uri, rangeOf(document, "shfit"), "shift");
    assert.ok(await vscode.workspace.applyEdit(fix));
    const after = await waitForDiagnostics(document.uri, (now) => now.length === 0, "the error to clear after the edit");
    assert.equal(after.length, 0);
    assert.ok(document.isDirty, "the edit alone (no save) should re-check the spec");
  });

  test("the error's quick fix replaces the name and the error goes away", async () => {
    const { document, diagnostics } = await openSpec(writeSpec("fixed-by-quick-fix.sym", misspelledSymmetrySpec()));
    const [error] = errorsOf(diagnostics);
    assert.ok(error, describeDiagnostics(diagnostics));
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      "vscode.executeCodeActionProvider",
      document.uri,
      error.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    const fix = actions.find((action) => action.title.includes("shift"));
    assert.ok(fix?.edit, `a quick fix offering "shift" expected, got: ${actions.map((action) => action.title).join(" | ") || "(none)"}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.match(document.lineAt(error.range.start.line).text, /^invariant logits under shift\b/);
    await waitForDiagnostics(document.uri, (now) => now.length === 0, "the error to clear after the quick fix");
  });
});
