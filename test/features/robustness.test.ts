/** Whatever the text and wherever the cursor, no feature throws: the editor calls them on every keystroke. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { codeActions } from "../../server/src/features/codeActions";
import { complete } from "../../server/src/features/completion";
import { toLspDiagnostics } from "../../server/src/features/diagnostics";
import { foldingRanges } from "../../server/src/features/folding";
import { hover } from "../../server/src/features/hover";
import { definition, prepareRename, references, rename } from "../../server/src/features/navigation";
import { documentSymbols } from "../../server/src/features/symbols";
import type { DocumentSymbol } from "vscode-languageserver-types";
import { comparePositions, type Position } from "../../server/src/common/text";
import type { SpecAnalysis } from "../../server/src/service/analysis";
import { analyze, FULL_SPEC } from "./fixture";

function endOf(text: string): Position {
  const lines = text.split("\n");
  return { line: lines.length - 1, character: lines[lines.length - 1].length };
}

/** What editors insist on: symbols with names, selections inside their ranges; folds that span lines. */
function assertWellFormed(analysis: SpecAnalysis): void {
  const check = (symbols: DocumentSymbol[]): void => {
    for (const symbol of symbols) {
      assert.ok(symbol.name.length > 0, "a symbol has a name");
      assert.ok(
        comparePositions(symbol.range.start, symbol.selectionRange.start) <= 0 && comparePositions(symbol.selectionRange.end, symbol.range.end) <= 0,
        `the selection of ${symbol.name} lies in its range`,
      );
      check(symbol.children ?? []);
    }
  };
  check(documentSymbols(analysis));
  for (const fold of foldingRanges(analysis)) assert.ok(fold.startLine < fold.endLine, "a fold spans lines");
  toLspDiagnostics(analysis);
}

function everyFeatureAt(analysis: SpecAnalysis, position: Position): void {
  hover(analysis, position);
  complete(analysis, position);
  definition(analysis, position);
  references(analysis, position, true);
  prepareRename(analysis, position);
  rename(analysis, position, "renamed");
  codeActions(analysis, { start: position, end: position });
}

test("every feature answers at every position of a complete spec", async () => {
  const analysis = await analyze(FULL_SPEC);
  const lines = FULL_SPEC.split("\n");
  lines.forEach((line, lineNumber) => {
    for (let character = 0; character <= line.length + 1; character++) everyFeatureAt(analysis, { line: lineNumber, character });
  });
  everyFeatureAt(analysis, { line: lines.length + 3, character: 0 });
  assertWellFormed(analysis);
});

test("every feature answers on every prefix of a spec, as it is typed", async () => {
  // Every third character keeps the test quick; the cuts still land inside every kind of token.
  for (let length = 0; length <= FULL_SPEC.length; length += 3) {
    const text = FULL_SPEC.slice(0, length);
    const analysis = await analyze(text);
    everyFeatureAt(analysis, endOf(text));
    assertWellFormed(analysis);
  }
});

test("stray characters, unclosed strings and brackets", async () => {
  for (const text of ['input "abc', "input image [batch, (y}, x]]]", "symmetry s = translate(y, step=, margin=-1", "check { input image ~ normal( from \"x", "§ ¤ @@ \u0000", "\r\ninput image [a]\r\n# c\r\n"]) {
    const analysis = await analyze(text);
    everyFeatureAt(analysis, endOf(text));
    assertWellFormed(analysis);
  }
});
