/**
 * Numeric checks over the real transport (`node dist/server.cjs --stdio`; build first), with the
 * product's engine and runner: the lenses before and after a run, `symcheck/runChecks` with its
 * per-pair notifications and progress, `symcheck/listChecks`, the diagnostics of a failed check and
 * their removal when the claim changes, and numeric checks turned off (untrusted workspace, setting).
 * A server whose runner waits before each run (test/support/slowRunnerServer.ts) shows
 * cancellation, and that the server answers hovers while a check runs.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { CancellationTokenSource, CodeLensRequest, HoverRequest, WorkDoneProgress, type CodeLens, type Diagnostic } from "vscode-languageserver";
import {
  CHECK_RESULT_METHOD,
  LIST_CHECKS_METHOD,
  RUN_CHECKS_METHOD,
  type CheckResultParams,
  type ListChecksResult,
  type RunChecksParams,
  type RunChecksResult,
} from "../../server/src/lsp/protocol";
import { initialSettings, readSettings } from "../../server/src/lsp/settings";
import { countLensRefreshes, eventually, LENS_REFRESHING_CLIENT, LspSession, repoRoot } from "../support/lspClient";
import { npyFile } from "../numeric/fixtures";
import { oddSignalModel, ODD_SIGNAL_SPEC } from "../support/oddSignal";

const SPEC = ODD_SIGNAL_SPEC;
const lines = SPEC.split("\n");
const claimLine = lines.findIndex((line) => line.startsWith("equivariant"));
const modelLine = lines.findIndex((line) => line.startsWith("model"));
const FLIPSIGN = "equivariant out under flipsign";
const SHIFT = "equivariant out under shift";


/** A folder with the odd-signal model (its Relu breaks `flipsign`, nothing breaks `shift`) and `name.sym` naming it. */
function writeSpec(folder: string, name: string, text = SPEC): string {
  writeFileSync(path.join(folder, `${name}.onnx`), oddSignalModel("Relu"));
  const file = path.join(folder, `${name}.sym`);
  writeFileSync(file, text.replace("odd.onnx", `${name}.onnx`));
  return file;
}

/** Writes `name.sym` (and its model) in the folder and opens it; resolves once its first diagnostics arrive. */
async function openSpec(session: LspSession, folder: string, name: string, text = SPEC): Promise<string> {
  const uri = session.uriOf(writeSpec(folder, name, text));
  const mark = session.mark();
  await session.open(uri, text.replace("odd.onnx", `${name}.onnx`));
  await session.diagnostics(uri, mark);
  return uri;
}

function runChecks(session: LspSession, params: RunChecksParams, token?: CancellationTokenSource): Promise<RunChecksResult> {
  return token ? session.connection.sendRequest(RUN_CHECKS_METHOD, params, token.token) : session.connection.sendRequest(RUN_CHECKS_METHOD, params);
}

function listChecks(session: LspSession, uri?: string): Promise<ListChecksResult> {
  return session.connection.sendRequest(LIST_CHECKS_METHOD, uri ? { uri } : {});
}

/** The lenses as `line: title -> command`. */
async function lensTitles(session: LspSession, uri: string): Promise<string[]> {
  const lenses = (await session.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) as CodeLens[] | null;
  return (lenses ?? []).map((lens) => `${lens.range.start.line}: ${lens.command?.title} -> ${lens.command?.command}`);
}

function numericDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((diagnostic) => String(diagnostic.code).startsWith("numeric."));
}

/** The `symcheck/checkResult` notifications of a run. */
function resultsOf(session: LspSession, runId: string): CheckResultParams[] {
  return session.notifications.filter((n) => n.method === CHECK_RESULT_METHOD).map((n) => n.params as CheckResultParams).filter((p) => p.runId === runId);
}

describe("numeric checks over stdio", () => {
  let folder: string;
  let session: LspSession;
  let refreshes: () => number;

  before(async () => {
    folder = mkdtempSync(path.join(tmpdir(), "symcheck-lsp-numeric-"));
    session = await LspSession.start({ folder, capabilities: LENS_REFRESHING_CLIENT });
    refreshes = countLensRefreshes(session);
  });

  after(() => {
    session.dispose();
    rmSync(folder, { recursive: true, force: true });
  });

  const open = (name: string, text = SPEC) => openSpec(session, folder, name, text);

  test("before a run: `Check numerically` above the claim, `Check all claims numerically` above `model`, then the static verdicts", async () => {
    const uri = await open("before");
    assert.deepEqual(await lensTitles(session, uri), [
      `${modelLine}: Check all claims numerically -> symcheck.checkFile`,
      `${claimLine}: Check numerically -> symcheck.checkClaimAtCursor`,
      `${claimLine}: flipsign: violated at second -> symcheck.showStaticExplanation`,
      `${claimLine}: shift: proved -> symcheck.showStaticExplanation`,
    ]);
    const lenses = (await session.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) as CodeLens[];
    assert.deepEqual(lenses[0].command?.arguments, [{ uri }]);
    assert.deepEqual(lenses[1].command?.arguments, [{ uri, line: claimLine }]);
  });

  test("a run answers every pair's result, sends each as it finishes, and reports work-done progress", async () => {
    const uri = await open("run");
    const progress: string[] = [];
    session.connection.onProgress(WorkDoneProgress.type, "progress-1", (value) => void progress.push(value.kind));
    const result = await runChecks(session, { uri, runId: "run-1", workDoneToken: "progress-1" });
    assert.equal(result.uri, uri);
    const [flipsign, shift] = result.results;
    assert.deepEqual(
      result.results.map((r) => `${r.id}: ${r.numeric.status}`),
      [`${FLIPSIGN}: failed`, `${SHIFT}: passed`],
    );
    // Relu(tanh(-x)) is not -Relu(tanh(x)): an error of the order of the outputs, far above the default tolerance.
    assert.ok(flipsign.numeric.maxRelError! > 0.1, JSON.stringify(flipsign.numeric));
    assert.equal(flipsign.numeric.tolerance, 1e-4);
    assert.equal(flipsign.numeric.samples, 8);
    assert.match(flipsign.numeric.worst, /^negate/);
    assert.match(flipsign.numeric.summary, /^failed: rel err [\d.e-]+ > 1e-4 at negate/);
    assert.match(flipsign.numeric.text, new RegExp(`^${FLIPSIGN} failed the numeric check: relative error [\\d.e-]+ \\(tolerance 1e-4\\) at negate`));
    // Elementwise ops commute with shifts: the same numbers, moved.
    assert.equal(shift.numeric.maxRelError, 0);
    assert.match(shift.numeric.summary, /^passed 8\/8, max rel err 0, (\d+ ms|[\d.]+ s)$/);

    const notified = resultsOf(session, "run-1");
    assert.deepEqual(
      notified.map((n) => `${n.done}/${n.total} ${n.id}: ${n.numeric.status}`),
      [`1/2 ${FLIPSIGN}: failed`, `2/2 ${SHIFT}: passed`],
    );
    assert.deepEqual(progress, ["begin", "report", "report", "end"]);
  });

  test("after a run: each result beside its static verdict, and the failure an error on the symmetry in the claim", async () => {
    const uri = await open("after");
    const before = refreshes();
    const mark = session.mark();
    await runChecks(session, { uri });
    const titles = await lensTitles(session, uri);
    assert.equal(titles.length, 6, titles.join("\n"));
    assert.match(titles[4], new RegExp(`^${claimLine}: flipsign: failed: rel err [\\d.e-]+ > 1e-4 at negate.* -> symcheck.showNumericResult$`));
    assert.match(titles[5], new RegExp(`^${claimLine}: shift: passed 8/8, max rel err 0, .* -> symcheck.showNumericResult$`));
    await eventually(() => refreshes() > before, "workspace/codeLens/refresh request", 10_000);

    const { diagnostics } = await session.diagnostics(uri, mark, (params) => numericDiagnostics(params.diagnostics).length > 0);
    const [failed] = numericDiagnostics(diagnostics);
    assert.equal(numericDiagnostics(diagnostics).length, 1);
    assert.equal(failed.code, "numeric.failed");
    assert.equal(failed.severity, 1);
    const flipsignAt = lines[claimLine].indexOf("flipsign");
    assert.deepEqual(failed.range, { start: { line: claimLine, character: flipsignAt }, end: { line: claimLine, character: flipsignAt + "flipsign".length } });
    assert.match(String(failed.message), /failed the numeric check: relative error .* largest absolute error .* 8 samples in/);
  });

  test("a claim's line or ids choose the pairs; a line without a claim and an unknown id are refused with a message", async () => {
    const uri = await open("select");
    const byId = await runChecks(session, { uri, ids: [SHIFT] });
    assert.deepEqual(byId.results.map((r) => r.id), [SHIFT]);
    const byLine = await runChecks(session, { uri, claimLine });
    assert.deepEqual(byLine.results.map((r) => r.id), [FLIPSIGN, SHIFT]);
    await assert.rejects(runChecks(session, { uri, claimLine: modelLine }), /no claim to check on line 1: put the cursor on an `invariant` or `equivariant` statement/);
    await assert.rejects(runChecks(session, { uri, ids: ["invariant nothing under shift"] }), /the spec has no claim `invariant nothing under shift`/);
  });

  test("listChecks gives each pair its range, static verdict and last result; without a URI, every spec of the folder, closed ones too", async () => {
    const uri = await open("listed");
    await runChecks(session, { uri, ids: [FLIPSIGN] });
    const [spec] = (await listChecks(session, uri)).specs;
    assert.equal(spec.uri, uri);
    assert.equal(spec.numericOff, undefined);
    const [flipsign, shift] = spec.checks;
    assert.equal(flipsign.id, FLIPSIGN);
    assert.equal(flipsign.range.start.line, claimLine);
    assert.deepEqual(flipsign.static, { verdict: "violated", summary: "violated at second" });
    assert.equal(flipsign.numeric?.status, "failed");
    assert.equal(flipsign.pending, false);
    assert.deepEqual(shift.static, { verdict: "proved", summary: "proved" });
    assert.equal(shift.numeric, null, "shift has not been run");

    const closed = session.uriOf(writeSpec(folder, "closed"));
    const all = (await listChecks(session)).specs.map((listed) => path.basename(listed.uri));
    assert.ok(all.includes("closed.sym") && all.includes("listed.sym"), all.join(", "));
    // A closed spec runs from its file, and its result is published like an open one's.
    const mark = session.mark();
    const result = await runChecks(session, { uri: closed, ids: [FLIPSIGN] });
    assert.equal(result.results[0].numeric.status, "failed");
    const published = await session.diagnostics(closed, mark, (params) => numericDiagnostics(params.diagnostics).length > 0);
    assert.equal(numericDiagnostics(published.diagnostics)[0].code, "numeric.failed");
  });

  test("an edit that changes the claim drops its result (diagnostic and lens); an edit elsewhere keeps it", async () => {
    const uri = await open("stale");
    await runChecks(session, { uri, ids: [FLIPSIGN] });
    await session.diagnostics(uri, 0, (params) => numericDiagnostics(params.diagnostics).length === 1);

    // A comment above the claim moves it: the result follows it.
    const commented = `# a comment\n${SPEC.replace("odd.onnx", "stale.onnx")}`;
    let mark = session.mark();
    await session.change(uri, 2, commented);
    const moved = await session.diagnostics(uri, mark, (params) => params.version === 2);
    assert.equal(numericDiagnostics(moved.diagnostics)[0]?.range.start.line, claimLine + 1, "the failure follows the claim");
    assert.ok((await lensTitles(session, uri)).some((title) => title.startsWith(`${claimLine + 1}: flipsign: failed`)));

    // A tolerance changes what the check measures against: the result is stale.
    mark = session.mark();
    await session.change(uri, 3, commented.replace("equivariant out under flipsign, shift", "equivariant out under flipsign, shift within 1e-3"));
    const edited = await session.diagnostics(uri, mark, (params) => params.version === 3);
    assert.deepEqual(numericDiagnostics(edited.diagnostics), []);
    assert.ok(!(await lensTitles(session, uri)).some((title) => title.includes("failed")));
    assert.equal((await listChecks(session, uri)).specs[0].checks[0].numeric, null);
  });

  test("a model rewritten on disk makes the results of its specs stale", async () => {
    const uri = await open("rewritten");
    await runChecks(session, { uri, ids: [FLIPSIGN] });
    assert.equal((await listChecks(session, uri)).specs[0].checks[0].numeric?.status, "failed");
    const modelFile = path.join(folder, "rewritten.onnx");
    writeFileSync(modelFile, oddSignalModel("Tanh"));
    const mark = session.mark();
    await session.fileChanged(modelFile);
    const { diagnostics } = await session.diagnostics(uri, mark);
    assert.deepEqual(diagnostics, [], "the fixed model has no violated claim and no stale numeric failure");
    assert.equal((await listChecks(session, uri)).specs[0].checks[0].numeric, null);
  });
  test("an input file (.npy) rewritten on disk makes the results of the specs that read it stale", async () => {
    const inputFile = path.join(folder, "signal.npy");
    writeFileSync(inputFile, npyFile("<f4", [2, 2, 16], new Float32Array(64).fill(0.5)));
    const uri = await open("from_file", SPEC.replace("check { size batch = 2 }", 'check { size batch = 2  input signal from "signal.npy" }'));
    await runChecks(session, { uri, ids: [FLIPSIGN] });
    assert.equal((await listChecks(session, uri)).specs[0].checks[0].numeric?.status, "failed");
    writeFileSync(inputFile, npyFile("<f4", [3, 2, 16], new Float32Array(96).fill(-0.5)));
    const mark = session.mark();
    await session.fileChanged(inputFile);
    const { diagnostics } = await session.diagnostics(uri, mark);
    assert.deepEqual(numericDiagnostics(diagnostics), [], "no stale numeric failure");
    assert.equal((await listChecks(session, uri)).specs[0].checks[0].numeric, null);
  });
});

describe("numeric settings as clients send them", () => {
  test("what is not understood keeps its value, and the trust the client started in stays unless the settings say otherwise", () => {
    const untrusted = initialSettings({ workspaceTrusted: false });
    assert.equal(untrusted.workspaceTrusted, false);
    assert.deepEqual(readSettings({ numeric: { enabled: "yes", timeoutSeconds: -5 } }, untrusted), untrusted);
    assert.deepEqual(readSettings({ numeric: { timeoutSeconds: 2.5 }, workspaceTrusted: true }, untrusted), {
      ...untrusted,
      numeric: { enabled: true, timeoutSeconds: 2.5 },
      workspaceTrusted: true,
    });
    assert.equal(initialSettings(null).workspaceTrusted, true, "clients that say nothing are trusted");
  });
});

describe("numeric checks turned off", () => {
  let folder: string;

  before(() => {
    folder = mkdtempSync(path.join(tmpdir(), "symcheck-lsp-numeric-off-"));
  });

  after(() => rmSync(folder, { recursive: true, force: true }));

  test("in an untrusted workspace the lenses say so and runs are refused, until trust arrives with the settings", async () => {
    const session = await LspSession.start({ folder, initializationOptions: { workspaceTrusted: false }, settings: { workspaceTrusted: false } });
    try {
      const uri = session.uriOf(writeSpec(folder, "untrusted"));
      const mark = session.mark();
      await session.open(uri, SPEC.replace("odd.onnx", "untrusted.onnx"));
      await session.diagnostics(uri, mark);
      const titles = await lensTitles(session, uri);
      assert.equal(titles[0], `${claimLine}: Numeric checks are off in an untrusted workspace -> symcheck.checkClaimAtCursor`);
      assert.ok(!titles.some((title) => title.includes("Check all claims")), titles.join("\n"));
      await assert.rejects(runChecks(session, { uri }), /numeric checks are off in an untrusted workspace: they run the workspace's models with onnxruntime\. Trust the workspace to run them\./);
      assert.equal((await listChecks(session, uri)).specs[0].numericOff, "Numeric checks are off in an untrusted workspace");

      // VS Code's client re-tells the trust in the settings it answers when trust is granted.
      await session.settingsChanged({ workspaceTrusted: true });
      await eventually(async () => (await lensTitles(session, uri))[1]?.includes("Check numerically") ?? false, "the `Check numerically` lens once trusted", 10_000);
      const result = await runChecks(session, { uri, ids: [SHIFT] });
      assert.equal(result.results[0].numeric.status, "passed");
    } finally {
      session.dispose();
    }
  });

  test("the setting symcheck.numeric.enabled turns them off too, saying how to turn them on", async () => {
    const session = await LspSession.start({ folder, settings: { numeric: { enabled: false } } });
    try {
      const uri = session.uriOf(writeSpec(folder, "disabled"));
      const mark = session.mark();
      await session.open(uri, SPEC.replace("odd.onnx", "disabled.onnx"));
      await session.diagnostics(uri, mark);
      assert.equal((await lensTitles(session, uri))[0], `${claimLine}: Numeric checks are off (symcheck.numeric.enabled) -> symcheck.checkClaimAtCursor`);
      await assert.rejects(runChecks(session, { uri }), /numeric checks are turned off: set symcheck\.numeric\.enabled to true to run them\./);
    } finally {
      session.dispose();
    }
  });
});

describe("a long numeric check", () => {
  let folder: string;
  let session: LspSession;
  /** Each model run waits this long first: two pairs take at least twice as long. */
  const delayMs = 600;

  before(async () => {
    folder = mkdtempSync(path.join(tmpdir(), "symcheck-lsp-numeric-slow-"));
    const server = path.join(repoRoot, "test/support/slowRunnerServer.ts");
    session = await LspSession.start({ folder, command: [process.execPath, "--import", import.meta.resolve("tsx"), server, `--delay-ms=${delayMs}`, "--stdio"] });
  });

  after(() => {
    session.dispose();
    rmSync(folder, { recursive: true, force: true });
  });

  const open = (name: string) => openSpec(session, folder, name);

  test("the server answers a hover at once while a check runs, and the lens says the pair is being checked", async () => {
    const uri = await open("hover");
    const started = Date.now();
    let finishedAt = 0;
    const running = runChecks(session, { uri }).then((result) => {
      finishedAt = Date.now();
      return result;
    });
    await eventually(async () => (await lensTitles(session, uri)).some((title) => title.includes("flipsign: checking…")), "the `checking…` lens", 10_000);
    const hover = await session.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 1, character: 8 } });
    const hoveredAt = Date.now();
    assert.ok(hover, "the hover is answered");
    assert.equal(finishedAt, 0, "the hover came back before the check finished");
    const result = await running;
    assert.ok(finishedAt - started >= 2 * delayMs, `two pairs take at least ${2 * delayMs} ms, not ${finishedAt - started}`);
    assert.ok(hoveredAt < finishedAt);
    assert.deepEqual(result.results.map((r) => r.numeric.status), ["failed", "passed"]);
  });

  test("cancelling a run stops it: the pairs not finished come back cancelled, and keep no result", async () => {
    const uri = await open("cancelled");
    const cancel = new CancellationTokenSource();
    const running = runChecks(session, { uri, runId: "cancelled" }, cancel);
    await new Promise((resolve) => setTimeout(resolve, delayMs / 2));
    cancel.cancel();
    const result = await running;
    assert.deepEqual(result.results.map((r) => `${r.id}: ${r.numeric.status}`), [`${FLIPSIGN}: cancelled`, `${SHIFT}: cancelled`]);
    assert.deepEqual(resultsOf(session, "cancelled").map((n) => n.numeric.status), ["cancelled", "cancelled"]);
    const [spec] = (await listChecks(session, uri)).specs;
    assert.deepEqual(spec.checks.map((check) => [check.numeric, check.pending]), [[null, false], [null, false]]);
  });
});
