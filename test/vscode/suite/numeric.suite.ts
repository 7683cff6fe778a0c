/**
 * Numeric checks as VS Code runs them: from a claim's CodeLens, from the command palette, and
 * from the Test Explorer (the extension's TestController, reached through its exported API).
 * Each run is a TestRun; the extension records what it told the run, and the tests assert that,
 * the lenses VS Code shows afterwards and the diagnostics.
 *
 * This suite runs in a trusted workspace: with the setting `symcheck.numeric.enabled` off, the
 * server refuses runs; an untrusted workspace's refusal is untrusted.suite.ts's (its own launch).
 */
import * as assert from "node:assert/strict";
import { suite, suiteSetup, test } from "mocha";
import * as vscode from "vscode";
import type { SymcheckApi } from "../../../client/src/extension";
import type { RecordedRun } from "../../../client/src/numericChecks";
import { activateSymcheck, errorsOf, exampleText, lensTitles, openSpec, outcomes, rangeOf, waitForDiagnostics, waitForLens, writeSpec } from "./helpers";

suite("numeric checks", () => {
  let api: SymcheckApi;

  /** What the next run records, when it ends. */
  function nextRun(): Promise<RecordedRun> {
    return new Promise((resolve) => {
      const subscription = api.numericChecks.onDidEndRun((run) => {
        subscription.dispose();
        resolve(run);
      });
    });
  }

  suiteSetup(async () => {
    api = await activateSymcheck();
  });

  test("the `Check numerically` lens runs its claim: the failure shows in a lens, the Test Explorer and the Problems panel", async () => {
    const { document } = await openSpec(writeSpec("numeric-lens.sym", exampleText("flatten_cnn.sym")));
    const claimLine = rangeOf(document, /^invariant logits under shift/m).start.line;
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>("vscode.executeCodeLensProvider", document.uri);
    const check = lenses.find((lens) => lens.command?.title === "Check numerically");
    assert.ok(check?.command, `no \`Check numerically\` lens: ${(await lensTitles(document)).join(" | ")}`);
    assert.equal(check.range.start.line, claimLine);

    const run = await vscode.commands.executeCommand<RecordedRun>(check.command.command, ...(check.command.arguments ?? []));
    assert.deepEqual(outcomes(run), ["invariant logits under shift: failed"]);
    // The worst shift names the axes it moves: `shift x=+1`, `shift y=+3 x=-5`.
    assert.match(run.results[0].message ?? "", /^invariant logits under shift failed the numeric check: relative error [\d.e-]+ \(tolerance 1e-4\) at shift(?: [yx]=[+-]\d+)+;/);
    assert.ok((run.results[0].durationMs ?? -1) >= 0);

    const lens = await waitForLens(document, /: shift: failed: /);
    assert.match(lens, new RegExp(`^${claimLine}: shift: failed: rel err [\\d.e-]+ > 1e-4 at shift(?: [yx]=[+-]\\d+)+$`));
    const errors = await waitForDiagnostics(document.uri, (now) => now.some((d) => d.code === "numeric.failed"), "the numeric failure's error");
    assert.deepEqual(
      errorsOf(errors).map((d) => `${d.code} ${d.range.start.line}`),
      [`static.violated ${claimLine}`, `numeric.failed ${claimLine}`],
    );
  });

  test("the palette's `Check Claim at Cursor` runs the claim under the cursor only, and its lens shows it passed", async () => {
    const { document } = await openSpec(writeSpec("numeric-cursor.sym", exampleText("tiny_cnn.sym")));
    const editor = await vscode.window.showTextDocument(document);
    const turn = rangeOf(document, /^invariant logits under turn/m).start;
    editor.selection = new vscode.Selection(turn.translate(0, 3), turn.translate(0, 3));
    const run = await vscode.commands.executeCommand<RecordedRun>("symcheck.checkClaimAtCursor");
    assert.deepEqual(outcomes(run), ["invariant logits under turn: passed"]);
    assert.match(await waitForLens(document, /: turn: passed/), new RegExp(`^${turn.line}: turn: passed 16/16, max rel err [\\d.e-]+, [\\d.]+ m?s$`));
    assert.ok(!(await lensTitles(document)).some((title) => title.includes("shift: passed")), "the other claim was not run");
  });

  test("the palette's `Check All Claims of the File` runs every pair of the active spec", async () => {
    const { document } = await openSpec(writeSpec("numeric-file.sym", exampleText("molecule.sym")));
    await vscode.window.showTextDocument(document);
    const run = await vscode.commands.executeCommand<RecordedRun>("symcheck.checkFile");
    assert.deepEqual(outcomes(run), [
      "invariant energy under rigid: passed",
      "invariant energy under relabel: passed",
      "equivariant force under rigid: passed",
      "equivariant force under relabel: passed",
    ]);
  });

  test("the Test Explorer lists each spec's claims under it, at the claims' ranges", async () => {
    await api.numericChecks.refreshAll();
    const flatten = api.numericChecks.controller.items.get(vscode.Uri.file(vscode.workspace.workspaceFolders![0].uri.fsPath + "/flatten_cnn.sym").toString());
    assert.ok(flatten, "flatten_cnn.sym has an item");
    assert.equal(flatten.label, "flatten_cnn.sym");
    const children: vscode.TestItem[] = [];
    flatten.children.forEach((child) => children.push(child));
    assert.deepEqual(
      children.map((child) => `${child.label} (${child.description}) line ${child.range?.start.line}`),
      [`invariant logits under shift (static: violated at fc) line ${exampleText("flatten_cnn.sym").split("\n").indexOf("invariant logits under shift")}`],
    );
    const tinyCnn = api.numericChecks.controller.items.get(vscode.Uri.file(vscode.workspace.workspaceFolders![0].uri.fsPath + "/tiny_cnn.sym").toString());
    assert.equal(tinyCnn?.children.size, 2);
  });

  test("`testing.runAll` runs every claim of the workspace: flatten_cnn's fails, the examples' others pass", async () => {
    await api.numericChecks.refreshAll();
    const ended = nextRun();
    await vscode.commands.executeCommand("testing.runAll");
    const run = await ended;
    const byExample = (name: string) => run.results.filter((result) => result.uri.endsWith(`/${name}`)).map((result) => `${result.id}: ${result.state}`);
    assert.deepEqual(byExample("flatten_cnn.sym"), ["invariant logits under shift: failed"]);
    assert.deepEqual(byExample("tiny_cnn.sym"), ["invariant logits under shift: passed", "invariant logits under turn: passed"]);
    assert.deepEqual(byExample("vad.sym"), ["invariant speech under polarity: passed"]);
    assert.deepEqual(byExample("p4conv.sym"), ["equivariant feat under turn: passed"]);
    assert.equal(byExample("deepsets.sym").length, 2);
    assert.ok(byExample("deepsets.sym").every((outcome) => outcome.endsWith("passed")));
  });

  test("re-running the failed tests runs only those", async () => {
    const ended = nextRun();
    await vscode.commands.executeCommand("testing.reRunFailTests");
    const run = await ended;
    assert.ok(run.results.length > 0, "the earlier runs failed some checks");
    assert.ok(run.results.some((result) => result.uri.endsWith("/flatten_cnn.sym")));
    assert.deepEqual(run.results.filter((result) => result.state !== "failed"), [], "only checks that failed before, and fail again");
  });

  test("`Check All Claims of the Workspace` runs every spec; cancelling it stops the run and skips what is left", async () => {
    const run = await vscode.commands.executeCommand<RecordedRun>("symcheck.checkWorkspace");
    assert.ok(outcomes(run).includes("invariant logits under shift: failed"));
    assert.ok(outcomes(run).includes("invariant speech under polarity: passed"));

    // Cancelled once the first result is in (the notification's Cancel button does the same).
    const cancel = new vscode.CancellationTokenSource();
    const progress = { report: () => cancel.cancel() };
    const cancelled = await api.numericChecks.runTests(new vscode.TestRunRequest(), cancel.token, progress);
    assert.equal(cancelled.results.length, run.results.length, "every check is accounted for");
    assert.notEqual(cancelled.results[0].state, "skipped");
    assert.ok(cancelled.results.filter((result) => result.state === "skipped").length > 1, outcomes(cancelled).join(", "));
  });

  test("with numeric checks off, the lens says so and a run is refused with the reason (no model runs)", async () => {
    const settings = vscode.workspace.getConfiguration("symcheck");
    await settings.update("numeric.enabled", false, vscode.ConfigurationTarget.Global);
    try {
      const { document } = await openSpec(writeSpec("numeric-off.sym", exampleText("vad.sym")));
      const lens = await waitForLens(document, /Numeric checks are off/);
      assert.match(lens, /^\d+: Numeric checks are off \(symcheck\.numeric\.enabled\)$/);
      await vscode.window.showTextDocument(document);
      const run = await vscode.commands.executeCommand<RecordedRun>("symcheck.checkFile");
      assert.deepEqual(outcomes(run), ["invariant speech under polarity: errored"]);
      assert.match(run.refusals[0] ?? "", /numeric checks are turned off: set symcheck\.numeric\.enabled to true/);
    } finally {
      await settings.update("numeric.enabled", undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
