/**
 * An untrusted workspace, in the real extension host: the launcher opens the examples with
 * workspace trust on and the folder not trusted, so VS Code is in Restricted Mode (runOffline.ts;
 * this suite runs only there, see suiteFilesOf). The extension declares limited support for
 * untrusted workspaces (package.json), so it activates: diagnostics and static verdicts work,
 * and numeric checks, which run the workspace's models with onnxruntime, are refused wherever
 * they start (a lens, the palette, the Test Explorer): no model runs.
 */
import * as assert from "node:assert/strict";
import { suite, suiteSetup, test } from "mocha";
import * as vscode from "vscode";
import type { SymcheckApi } from "../../../client/src/extension";
import type { RecordedRun } from "../../../client/src/numericChecks";
import { LIST_CHECKS_METHOD, type ListChecksParams, type ListChecksResult } from "../../../server/src/lsp/protocol";
import { activateSymcheck, describeDiagnostics, errorsOf, exampleText, lensTitles, openSpec, outcomes, rangeOf, waitForLens, writeSpec } from "./helpers";

/** What the lens above each claim says instead of `Check numerically`. */
const offLens = "Numeric checks are off in an untrusted workspace";
/** Why the server refuses to run a check. */
const refusal = "numeric checks are off in an untrusted workspace: they run the workspace's models with onnxruntime. Trust the workspace to run them.";

suite("untrusted workspace", () => {
  let api: SymcheckApi;

  suiteSetup(async () => {
    api = await activateSymcheck();
  });

  /**
   * Asks the server for the spec's checks and asserts it holds no numeric result and runs none;
   * its answer comes after any diagnostics a run would have published, so they are checked too.
   */
  async function assertNoModelRan(uri: vscode.Uri): Promise<void> {
    const params: ListChecksParams = { uri: uri.toString() };
    const [spec] = (await api.client.sendRequest<ListChecksResult>(LIST_CHECKS_METHOD, params)).specs;
    assert.ok(spec && spec.checks.length > 0, `the server lists the checks of ${uri.path}`);
    assert.equal(spec.numericOff, offLens);
    assert.deepEqual(
      spec.checks.filter((check) => check.numeric !== null || check.pending).map((check) => check.id),
      [],
      "no check has a numeric result or is running",
    );
    const numeric = vscode.languages.getDiagnostics(uri).filter((diagnostic) => String(diagnostic.code).startsWith("numeric."));
    assert.deepEqual(numeric, [], `no numeric diagnostic: ${describeDiagnostics(numeric)}`);
  }

  /** The run was refused: each of its checks errored with the refusal, and no other result came. */
  function assertRefused(run: RecordedRun | undefined, expected: string[]): void {
    assert.ok(run, "the command ran checks");
    assert.deepEqual(outcomes(run), expected);
    assert.deepEqual(run.refusals, [refusal]);
    assert.ok(run.results.every((result) => result.message === refusal));
  }

  test("VS Code opened the workspace in Restricted Mode, and the extension activated in it", () => {
    assert.equal(vscode.workspace.isTrusted, false, "the launcher must open the workspace untrusted");
    assert.equal(vscode.extensions.getExtension("symcheck.symcheck")?.isActive, true);
  });

  test("diagnostics and static verdict lenses show; the claim's numeric lens says checks are off in an untrusted workspace", async () => {
    const { document, diagnostics } = await openSpec(writeSpec("untrusted-static.sym", exampleText("flatten_cnn.sym")));
    const claimLine = rangeOf(document, /^invariant logits under shift/m).start.line;
    assert.deepEqual(
      errorsOf(diagnostics).map((d) => `${d.code} ${d.range.start.line}`),
      [`static.violated ${claimLine}`],
    );
    await waitForLens(document, /: shift: violated at fc$/);
    assert.deepEqual(await lensTitles(document), [`${claimLine}: ${offLens}`, `${claimLine}: shift: violated at fc`]);
  });

  test("the claim's lens and `Check All Claims of the File` are refused with the reason, and no model runs", async () => {
    const { document } = await openSpec(writeSpec("untrusted-commands.sym", exampleText("flatten_cnn.sym")));
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>("vscode.executeCodeLensProvider", document.uri);
    const off = lenses.find((lens) => lens.command?.title === offLens);
    assert.ok(off?.command, `no \`${offLens}\` lens: ${(await lensTitles(document)).join(" | ")}`);
    const fromLens = await vscode.commands.executeCommand<RecordedRun>(off.command.command, ...(off.command.arguments ?? []));
    assertRefused(fromLens, ["invariant logits under shift: errored"]);

    await vscode.window.showTextDocument(document);
    const fromPalette = await vscode.commands.executeCommand<RecordedRun>("symcheck.checkFile");
    assertRefused(fromPalette, ["invariant logits under shift: errored"]);
    await assertNoModelRan(document.uri);
    assert.ok(!(await lensTitles(document)).some((title) => /: shift: (passed|failed|could not run|checking)/.test(title)), "no numeric result lens");
  });

  test("the Test Explorer lists every spec's claims and says why checks are off; its run profile refuses each spec's checks", async () => {
    await api.numericChecks.refreshAll();
    const files: vscode.TestItem[] = [];
    api.numericChecks.controller.items.forEach((item) => files.push(item));
    assert.ok(files.some((file) => file.label === "flatten_cnn.sym"), `the examples are listed: ${files.map((file) => file.label).join(", ")}`);
    assert.deepEqual(files.filter((file) => file.description !== offLens).map((file) => file.label), [], "every spec says why its checks are off");

    // What the run profile does when VS Code lets a run through (`testing.runAll` asks for trust first: see the next test).
    const run = await api.numericChecks.runTests(new vscode.TestRunRequest(), new vscode.CancellationTokenSource().token);
    const checks = files.reduce((sum, file) => sum + file.children.size, 0);
    assert.equal(run.results.length, checks, "every check is accounted for");
    assert.deepEqual(run.results.filter((result) => result.state !== "errored" || result.message !== refusal), [], "every check is refused");
    assert.deepEqual(run.refusals, files.map(() => refusal), "one refusal per spec");
    for (const file of files) if (file.uri) await assertNoModelRan(file.uri);
  });

  /**
   * VS Code's own gate: the Test Explorer's run (`testing.runAll`) asks the user to trust the
   * workspace before it calls any test controller. In an extension test the workbench refuses to
   * show that prompt, so the command never settles: this test is the suite's last.
   */
  test("`testing.runAll` asks for workspace trust before running: no check runs while the workspace is untrusted", async () => {
    let ran = false;
    const subscription = api.numericChecks.onDidEndRun(() => (ran = true));
    try {
      void vscode.commands.executeCommand("testing.runAll");
      // A refused run of every example ends in well under a second (the test above: about 0.15 s).
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      assert.equal(ran, false, "the extension's run profile ran in an untrusted workspace");
    } finally {
      subscription.dispose();
    }
    assert.equal(vscode.workspace.isTrusted, false);
  });
});
