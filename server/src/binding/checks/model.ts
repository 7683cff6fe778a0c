/**
 * Checks of the `model` statement and of the model file it leads to. A model that cannot be
 * loaded gets exactly one diagnostic: every model-dependent check is then silent.
 */
import * as path from "node:path";
import type { Fix } from "../../common/diagnostic";
import { editDistance, listInWords } from "../../common/suggest";
import { range, type Range } from "../../common/text";
import type { SpecFile } from "../../dsl/ast";
import type { Accept, BindContext } from "../context";
import { insertFix, quote, replaceFix, startOfLine } from "../fixes";

/** The most fixes offered for a missing model: one per candidate file. */
const MAX_CANDIDATE_FIXES = 5;

export function checkModel(context: BindContext, accept: Accept): void {
  reportExtraModelStatements(context, accept);
  reportModelLoadProblem(context, accept);
  reportExternalData(context, accept);
}

/**
 * Weights kept in separate files (models over 2 GB, or exported with external data) are listed
 * by the reader but not read: say so once, since checks that need those weights cannot decide.
 */
function reportExternalData(context: BindContext, accept: Accept): void {
  const load = context.model?.load;
  if (!load?.ok || load.model.externalData.length === 0) return;
  const references = load.model.externalData;
  const files = [...new Set(references.map((reference) => reference.location))];
  const where = context.symbols.modelStatements[0]?.path?.range ?? firstLineRange(context.symbols.spec);
  accept(
    "info",
    "bind.external-data",
    `the model keeps ${references.length === 1 ? "one tensor" : `${references.length} tensors`} in ${listInWords(files.map(quote), "and")}, which symcheck does not read yet: static checks that need those weights say unknown`,
    where,
  );
}

function reportExtraModelStatements(context: BindContext, accept: Accept): void {
  for (const extra of context.symbols.modelStatements.slice(1)) {
    accept("error", "bind.duplicate-model", "a spec describes one model: this second `model` line is ignored; remove it", extra.range, [
      replaceFix("Remove this model line", extra.range, ""),
    ]);
  }
}

function reportModelLoadProblem(context: BindContext, accept: Accept): void {
  const load = context.model?.load;
  if (!context.model || !load || load.ok) return;
  const statement = context.symbols.modelStatements[0];
  const where = statement?.path?.range ?? firstLineRange(context.symbols.spec);
  if (load.problem !== "missing") {
    accept("error", load.problem === "invalid" ? "bind.model-invalid" : "bind.model-unreadable", load.message, where);
    return;
  }
  const candidates = context.options.modelCandidates ?? [];
  if (statement?.path) {
    const written = statement.path.value;
    const others = byLikeness(
      candidates.filter((name) => name !== written),
      path.basename(written),
    );
    accept(
      "error",
      "bind.model-missing",
      `no model: ${quote(written)} does not exist (looked for ${load.path})${candidatesInWords(others)}`,
      statement.path.range,
      others.map((name, i) => replaceFix(`Use ${name}`, statement.path!.range, JSON.stringify(name), i === 0)),
    );
    return;
  }
  const sibling = path.basename(load.path);
  const others = byLikeness(candidates, sibling);
  accept(
    "error",
    "bind.model-missing",
    `no model: this spec has no \`model\` line, so it uses ${sibling} beside it, which does not exist${candidatesInWords(others)}`,
    where,
    others.map((name, i) => addModelLineFix(context.symbols.spec, name, i === 0)),
  );
}

/** Candidates, the likeliest first (those that start with the wanted file's stem, then the nearest), at most a few. */
function byLikeness(candidates: readonly string[], wanted: string): string[] {
  const stem = path.parse(wanted).name;
  const unlikeness = (candidate: string) => (candidate.startsWith(stem) ? 0 : 1000) + editDistance(wanted, candidate);
  return [...candidates].sort((a, b) => unlikeness(a) - unlikeness(b)).slice(0, MAX_CANDIDATE_FIXES);
}

function candidatesInWords(candidates: readonly string[]): string {
  return candidates.length ? `; models beside it: ${listInWords(candidates, "and")}` : "";
}

/** Inserts `model "x.onnx"` on a line of its own before the first statement. */
function addModelLineFix(spec: SpecFile, fileName: string, preferred: boolean): Fix {
  const first = spec.statements[0];
  const at = first ? startOfLine(first.range.start.line) : startOfLine(0);
  return insertFix(`Add model ${JSON.stringify(fileName)}`, at, `model ${JSON.stringify(fileName)}\n`, preferred);
}

/**
 * The text on the spec's first line, from what parsed there (the binder has no text): where a
 * problem of the whole file is shown. Empty at the start when the first line is blank.
 */
export function firstLineRange(spec: SpecFile): Range {
  let end = 0;
  for (const comment of spec.comments) {
    if (comment.start.line === 0) end = Math.max(end, comment.end.line === 0 ? comment.end.character : comment.start.character);
  }
  for (const statement of spec.statements) {
    if (statement.range.start.line !== 0) continue;
    const onFirstLine = statement.range.end.line === 0 ? statement.range.end : statement.keyword.end;
    end = Math.max(end, onFirstLine.character);
  }
  return range(0, 0, 0, end);
}
