/**
 * Quick fixes: the `fixes` that the parser and the binder attach to their diagnostics, offered
 * where the editor asks (the cursor or a selection touching the diagnostic).
 */
import { pathToFileURL } from "node:url";
import { CodeActionKind, type CodeAction, type Diagnostic } from "vscode-languageserver-types";
import type { SpecDiagnostic } from "../common/diagnostic";
import { comparePositions, type Range } from "../common/text";
import type { SpecAnalysis } from "../service/analysis";
import { toLspDiagnostic } from "./diagnostics";

/**
 * `diagnostics` are those the editor sends with the request (LSP's `context.diagnostics`); a
 * fix is offered only for one of them, and carries the editor's own copy. Without them, every
 * diagnostic of the analysis that touches `range` counts.
 */
export function codeActions(analysis: SpecAnalysis, range: Range, diagnostics?: Diagnostic[]): CodeAction[] {
  const uri = pathToFileURL(analysis.specPath).href;
  const actions: CodeAction[] = [];
  for (const specDiagnostic of analysis.diagnostics) {
    if (!specDiagnostic.fixes?.length || !rangesTouch(specDiagnostic.range, range)) continue;
    const shown = diagnostics ? diagnostics.find((candidate) => isSameDiagnostic(candidate, specDiagnostic)) : toLspDiagnostic(specDiagnostic);
    if (!shown) continue;
    for (const fix of specDiagnostic.fixes) {
      actions.push({
        title: fix.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [shown],
        isPreferred: fix.preferred ?? false,
        edit: { changes: { [uri]: fix.edits.map((edit) => ({ range: edit.range, newText: edit.newText })) } },
      });
    }
  }
  return actions;
}

/** True when the ranges share a position; an empty range (a cursor) touching either end counts. */
function rangesTouch(a: Range, b: Range): boolean {
  return comparePositions(a.start, b.end) <= 0 && comparePositions(b.start, a.end) <= 0;
}

function isSameDiagnostic(shown: Diagnostic, ours: SpecDiagnostic): boolean {
  return (
    shown.code === ours.code &&
    shown.message === ours.message &&
    comparePositions(shown.range.start, ours.range.start) === 0 &&
    comparePositions(shown.range.end, ours.range.end) === 0
  );
}
