/** Diagnostics as the editor gets them, and their fixes as quick fixes. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { CodeActionKind, DiagnosticSeverity, DiagnosticTag } from "vscode-languageserver-types";
import type { SpecDiagnostic } from "../../server/src/common/diagnostic";
import { codeActions } from "../../server/src/features/codeActions";
import { toLspDiagnostics } from "../../server/src/features/diagnostics";
import { analyze, positionOf, SPEC_PATH } from "./fixture";

const URI = pathToFileURL(SPEC_PATH).href;

/** Two misspellings with fixes, a constructor and a symmetry in a claim. */
const WITH_FIXES = `input image [batch, channel, y, x]
output logits [batch, class]
symmetry s = tranlate(y, x)
symmetry shift = translate(y, x)
invariant logits under shfit
`;

test("diagnostics keep range, code and message, map severities and name their source", async () => {
  const analysis = await analyze(WITH_FIXES);
  const unknownGroup = toLspDiagnostics(analysis).find((diagnostic) => diagnostic.code === "bind.unknown-group");
  assert.deepEqual(unknownGroup, {
    range: { start: { line: 2, character: 13 }, end: { line: 2, character: 21 } },
    severity: DiagnosticSeverity.Error,
    source: "symcheck",
    code: "bind.unknown-group",
    message: "unknown group `tranlate`; did you mean `translate`?",
  });
});

test("every severity maps to LSP's, and text without effect is tagged unnecessary", async () => {
  const analysis = await analyze(WITH_FIXES);
  const at = { start: { line: 0, character: 0 }, end: { line: 0, character: 5 } };
  const made = (severity: SpecDiagnostic["severity"], unnecessary?: boolean): SpecDiagnostic => ({ range: at, severity, message: severity, code: "test.code", unnecessary });
  const converted = toLspDiagnostics({ ...analysis, diagnostics: [made("error"), made("warning"), made("info"), made("hint", true)] });
  assert.deepEqual(
    converted.map((diagnostic) => diagnostic.severity),
    [DiagnosticSeverity.Error, DiagnosticSeverity.Warning, DiagnosticSeverity.Information, DiagnosticSeverity.Hint],
  );
  assert.deepEqual(converted.map((diagnostic) => diagnostic.tags), [undefined, undefined, undefined, [DiagnosticTag.Unnecessary]]);
});

test("a diagnostic's fix under the cursor becomes a preferred quick fix with the diagnostic attached", async () => {
  const analysis = await analyze(WITH_FIXES);
  const cursor = positionOf(WITH_FIXES, "tranlate", 0, 3);
  const actions = codeActions(analysis, { start: cursor, end: cursor });
  assert.deepEqual(actions, [
    {
      title: "Change to translate",
      kind: CodeActionKind.QuickFix,
      isPreferred: true,
      diagnostics: toLspDiagnostics(analysis).filter((diagnostic) => diagnostic.code === "bind.unknown-group"),
      edit: { changes: { [URI]: [{ range: { start: { line: 2, character: 13 }, end: { line: 2, character: 21 } }, newText: "translate" }] } },
    },
  ]);
});

test("a selection gets the fixes of every diagnostic it touches", async () => {
  const analysis = await analyze(WITH_FIXES);
  const whole = { start: { line: 0, character: 0 }, end: { line: 5, character: 0 } };
  assert.deepEqual(
    codeActions(analysis, whole)
      .map((action) => action.title)
      .sort(),
    ["Change to shift", "Change to translate"],
  );
  const unknownAxis = positionOf(WITH_FIXES, "y, x)");
  assert.deepEqual(codeActions(analysis, { start: unknownAxis, end: unknownAxis }), [], "a diagnostic without a fix offers nothing");
  const elsewhere = positionOf(WITH_FIXES, "logits under");
  assert.deepEqual(codeActions(analysis, { start: elsewhere, end: elsewhere }), [], "no diagnostic there");
});

test("with the editor's diagnostics, only those get fixes, and they carry the editor's copy", async () => {
  const analysis = await analyze(WITH_FIXES);
  const whole = { start: { line: 0, character: 0 }, end: { line: 5, character: 0 } };
  const shown = toLspDiagnostics(analysis).filter((diagnostic) => diagnostic.code === "bind.unknown-group");
  const actions = codeActions(analysis, whole, shown);
  assert.deepEqual(actions.map((action) => action.title), ["Change to translate"]);
  assert.equal(actions[0].diagnostics?.[0], shown[0]);
  const stale = [{ ...shown[0], message: "an older message" }];
  assert.deepEqual(codeActions(analysis, whole, stale), [], "a diagnostic the analysis no longer has gets no fix");
});
