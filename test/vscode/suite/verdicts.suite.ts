/**
 * Static verdicts as VS Code shows them: the error of a violated claim on the claim's line (in
 * the Problems panel and as a squiggle), and the verdict of every claim in its CodeLens.
 */
import * as assert from "node:assert/strict";
import { suite, suiteSetup, test } from "mocha";
import * as vscode from "vscode";
import { activateSymcheck, describeDiagnostics, errorsOf, exampleText, openSpec, rangeOf, waitForDiagnostics, writeSpec } from "./helpers";

/** The static verdicts' lenses of a document (the numeric checks' have a suite of their own). */
async function staticLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
  const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>("vscode.executeCodeLensProvider", document.uri);
  return lenses.filter((lens) => lens.command?.command === "symcheck.showStaticExplanation");
}

/** The static verdicts' lenses as `line: title` (0-based lines), in order. */
async function lensTitles(document: vscode.TextDocument): Promise<string[]> {
  return (await staticLenses(document)).map((lens) => `${lens.range.start.line}: ${lens.command?.title ?? "(no title)"}`);
}

suite("static verdicts", () => {
  suiteSetup(activateSymcheck);

  test("a violated claim is an error on the claim's line, naming the node that breaks it", async () => {
    // flatten_cnn is broken on purpose: a Gemm after Flatten mixes every cell with its own weights.
    const { document, diagnostics } = await openSpec(writeSpec("violated.sym", exampleText("flatten_cnn.sym")));
    const errors = errorsOf(diagnostics);
    assert.equal(errors.length, 1, `one error expected, got: ${describeDiagnostics(diagnostics)}`);
    const [error] = errors;
    assert.equal(error.code, "static.violated");
    assert.deepEqual(error.range, rangeOf(document, /^invariant logits under (shift)/m), "the error should underline the symmetry in the claim");
    assert.match(error.message, /^invariant logits under shift is violated: fc \(Gemm\): .+; path: image -> .+ -> fc$/);
  });

  test("each claim's CodeLens shows its static verdict, proved included", async () => {
    const violated = (await openSpec(writeSpec("lens-violated.sym", exampleText("flatten_cnn.sym")))).document;
    const shiftClaim = rangeOf(violated, /^invariant logits under shift/m).start.line;
    assert.deepEqual(await lensTitles(violated), [`${shiftClaim}: shift: violated at fc`]);

    // tiny_cnn's claims both hold: circular padding, kernels that quarter turns leave alone, global pooling.
    const proved = (await openSpec(writeSpec("lens-proved.sym", exampleText("tiny_cnn.sym")))).document;
    assert.deepEqual(await lensTitles(proved), [
      `${rangeOf(proved, /^invariant logits under shift/m).start.line}: shift: proved`,
      `${rangeOf(proved, /^invariant logits under turn/m).start.line}: turn: proved`,
    ]);
  });

  test("removing the violated claim clears its error and its lens, without saving", async () => {
    const { document } = await openSpec(writeSpec("fixed-claim.sym", exampleText("flatten_cnn.sym")));
    await waitForDiagnostics(document.uri, (now) => errorsOf(now).length === 1, "the violated claim's error");
    const edit = new vscode.WorkspaceEdit();
    const claim = document.lineAt(rangeOf(document, /^invariant logits under shift/m).start.line).rangeIncludingLineBreak;
    edit.delete(document.uri, claim);
    assert.ok(await vscode.workspace.applyEdit(edit));
    await waitForDiagnostics(document.uri, (now) => errorsOf(now).length === 0, "the error to clear once the claim is gone");
    assert.deepEqual(await lensTitles(document), []);
  });

  test("the lens's command shows the explanation", async () => {
    const { document } = await openSpec(writeSpec("explained.sym", exampleText("flatten_cnn.sym")));
    const [lens] = await staticLenses(document);
    assert.ok(lens?.command, "the claim has a static verdict's lens");
    const [argument] = (lens.command.arguments ?? []) as { explanation?: string }[];
    assert.match(argument?.explanation ?? "", /^invariant logits under shift: violated \(static check\)\nWhy: /);
    // Runs without waiting for the notification to be closed.
    await vscode.commands.executeCommand(lens.command.command, ...(lens.command.arguments ?? []));
  });
});
