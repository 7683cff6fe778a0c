/**
 * Folding: check blocks, runs of comment lines, and runs of three or more consecutive
 * statements of one kind (a long list of inputs, of symmetries, of claims).
 */
import { FoldingRangeKind, type FoldingRange } from "vscode-languageserver-types";
import type { Range } from "../common/text";
import type { Statement } from "../dsl/ast";
import type { SpecAnalysis } from "../service/analysis";
import { linesOf } from "./sourceText";

/** Shorter runs of statements are not worth a fold marker. */
const MIN_STATEMENT_RUN = 3;

export function foldingRanges(analysis: SpecAnalysis): FoldingRange[] {
  const lines = linesOf(analysis.text);
  return [
    ...checkBlockFolds(analysis.spec.statements, lines),
    ...commentFolds(analysis.spec.comments, lines),
    ...statementRunFolds(analysis.spec.statements),
  ].sort((a, b) => a.startLine - b.startLine || a.endLine - b.endLine);
}

/** From the `check` line to the line before the closing brace, which stays visible. */
function checkBlockFolds(statements: Statement[], lines: string[]): FoldingRange[] {
  const folds: FoldingRange[] = [];
  for (const statement of statements) {
    if (statement.kind !== "check" || !statement.bodyRange) continue;
    const { end } = statement.bodyRange;
    const closingBraceStartsLine = lines[end.line]?.trimStart().startsWith("}") ?? false;
    const endLine = closingBraceStartsLine ? end.line - 1 : end.line;
    if (endLine > statement.range.start.line) folds.push({ startLine: statement.range.start.line, endLine });
  }
  return folds;
}

/** Two or more consecutive lines that hold nothing but a comment. */
function commentFolds(comments: Range[], lines: string[]): FoldingRange[] {
  const commentLines = comments
    .filter((comment) => lines[comment.start.line]?.slice(0, comment.start.character).trim() === "")
    .map((comment) => comment.start.line);
  return runsOf(commentLines, (previous, next) => next === previous + 1)
    .filter((run) => run.length >= 2)
    .map((run) => ({ startLine: run[0], endLine: run[run.length - 1], kind: FoldingRangeKind.Comment }));
}

/** Statements of one kind, each starting on the line after the previous one ends. */
function statementRunFolds(statements: Statement[]): FoldingRange[] {
  const foldable = statements.filter((statement) => statement.kind !== "check" && statement.kind !== "model");
  return runsOf(foldable, (previous, next) => next.kind === previous.kind && next.range.start.line === previous.range.end.line + 1)
    .filter((run) => run.length >= MIN_STATEMENT_RUN)
    .map((run) => ({ startLine: run[0].range.start.line, endLine: run[run.length - 1].range.end.line }));
}

/** Splits `items` into maximal runs whose neighbours satisfy `continues`. */
function runsOf<T>(items: T[], continues: (previous: T, next: T) => boolean): T[][] {
  const runs: T[][] = [];
  for (const item of items) {
    const current = runs[runs.length - 1];
    if (current && continues(current[current.length - 1], item)) current.push(item);
    else runs.push([item]);
  }
  return runs;
}
