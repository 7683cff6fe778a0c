/**
 * Static verdicts over the real transport (`node dist/server.cjs --stdio`; build first): the
 * diagnostic of a violated claim on its line, the CodeLens of each (claim, symmetry) pair, and
 * lenses refreshed when a model changes on disk under an unchanged spec.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { CodeLensRequest, DiagnosticSeverity, type CodeLens } from "vscode-languageserver";
import { countLensRefreshes, eventually, LENS_REFRESHING_CLIENT, LspSession } from "../support/lspClient";
import { oddSignalModel, ODD_SIGNAL_SPEC } from "../support/oddSignal";

const SPEC = ODD_SIGNAL_SPEC;
const modelBytes = oddSignalModel;

const claimLine = SPEC.split("\n").findIndex((line) => line.startsWith("equivariant"));
const flipsignInClaim = SPEC.split("\n")[claimLine].indexOf("flipsign");


describe("static verdicts over stdio", () => {
  let folder: string;
  let session: LspSession;
  let refreshes: () => number;

  before(async () => {
    folder = mkdtempSync(path.join(tmpdir(), "symcheck-lsp-verdicts-"));
    session = await LspSession.start({ folder, capabilities: LENS_REFRESHING_CLIENT });
    refreshes = countLensRefreshes(session);
  });

  after(() => {
    session.dispose();
    rmSync(folder, { recursive: true, force: true });
  });

  async function open(name: string, modelSecondOp: "Tanh" | "Relu"): Promise<{ uri: string; modelFile: string }> {
    const modelFile = path.join(folder, `${name}.onnx`);
    writeFileSync(modelFile, modelBytes(modelSecondOp));
    const uri = session.uriOf(path.join(folder, `${name}.sym`));
    await session.open(uri, SPEC.replace("odd.onnx", `${name}.onnx`));
    return { uri, modelFile };
  }

  /** The static verdicts' lenses (the numeric checks' have tests of their own). */
  async function lensTitles(uri: string): Promise<string[]> {
    const lenses = (await session.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) as CodeLens[] | null;
    return (lenses ?? [])
      .filter((lens) => lens.command?.command === "symcheck.showStaticExplanation")
      .map((lens) => `${lens.range.start.line}: ${lens.command?.title} -> ${lens.command?.command}`);
  }

  test("initialize announces code lenses", async () => {
    const { capabilities } = await session.initializeResult;
    assert.deepEqual(capabilities.codeLensProvider, { resolveProvider: false });
  });

  test("a violated claim is an error on the symmetry's name in the claim, naming the node and the path", async () => {
    const mark = session.mark();
    const { uri } = await open("violated", "Relu");
    const { diagnostics } = await session.diagnostics(uri, mark);
    assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
    const [violated] = diagnostics;
    assert.equal(violated.code, "static.violated");
    assert.equal(violated.severity, DiagnosticSeverity.Error);
    assert.equal(violated.source, "symcheck");
    assert.deepEqual(violated.range, {
      start: { line: claimLine, character: flipsignInClaim },
      end: { line: claimLine, character: flipsignInClaim + "flipsign".length },
    });
    assert.match(violated.message as string, /^equivariant out under flipsign is violated: second \(Relu\): .*; path: signal -> squash -> second$/);
  });

  test("the claim's lenses show each symmetry's verdict, proved included", async () => {
    const { uri } = await open("lenses", "Relu");
    assert.deepEqual(await lensTitles(uri), [
      `${claimLine}: flipsign: violated at second -> symcheck.showStaticExplanation`,
      `${claimLine}: shift: proved -> symcheck.showStaticExplanation`,
    ]);
  });

  test("a model fixed on disk clears the error and asks the editor to refresh the lenses", async () => {
    let mark = session.mark();
    const { uri, modelFile } = await open("fixed", "Relu");
    await session.diagnostics(uri, mark);
    const before = refreshes();

    writeFileSync(modelFile, modelBytes("Tanh"));
    mark = session.mark();
    await session.fileChanged(modelFile);
    assert.deepEqual((await session.diagnostics(uri, mark)).diagnostics, []);
    await eventually(() => refreshes() > before, "workspace/codeLens/refresh request", 5_000);
    assert.deepEqual(await lensTitles(uri), [
      `${claimLine}: flipsign: proved -> symcheck.showStaticExplanation`,
      `${claimLine}: shift: proved -> symcheck.showStaticExplanation`,
    ]);
  });
});
