/**
 * Go to definition, find references and rename, on the index of names in `occurrences.ts`.
 * Symmetries are declared once; an axis name is declared in every tensor that has it (all of
 * them are its definition); tensor names are the model's, so they can be found but not renamed.
 */
import { pathToFileURL } from "node:url";
import type { Location, Range, TextEdit, WorkspaceEdit } from "vscode-languageserver-types";
import { isIdentifier } from "../binding/fixes";
import { isGeometricKind } from "../binding/meaning";
import { ANONYMOUS_AXIS } from "../binding/symbols";
import { containsPosition, type Position } from "../common/text";
import type { SpecAnalysis } from "../service/analysis";
import { collectOccurrences, isNavigable, sameTarget, type NavigableOccurrence } from "./occurrences";

export function definition(analysis: SpecAnalysis, position: Position): Location[] {
  const found = targetAt(analysis, position);
  if (!found) return [];
  return found.all.filter((occurrence) => occurrence.declaration).map((occurrence) => locationOf(analysis, occurrence.range));
}

export function references(analysis: SpecAnalysis, position: Position, includeDeclaration: boolean): Location[] {
  const found = targetAt(analysis, position);
  if (!found) return [];
  return found.all
    .filter((occurrence) => includeDeclaration || !occurrence.declaration)
    .map((occurrence) => locationOf(analysis, occurrence.range));
}

export function prepareRename(analysis: SpecAnalysis, position: Position): { range: Range; placeholder: string } | { error: string } | undefined {
  const found = targetAt(analysis, position);
  if (!found) return undefined;
  if (found.target.role === "tensor") return { error: tensorRenameRefusal(found.target.name) };
  return { range: found.target.range, placeholder: found.target.name };
}

export function rename(analysis: SpecAnalysis, position: Position, newName: string): WorkspaceEdit | { error: string } {
  const found = targetAt(analysis, position);
  if (!found) return { error: "Only symmetry and axis names can be renamed: place the cursor on one." };
  const { target, all } = found;
  if (target.role === "tensor") return { error: tensorRenameRefusal(target.name) };
  const problem = renameProblem(analysis, target, newName);
  if (problem) return { error: problem };
  const edits: TextEdit[] = all.map((occurrence) => ({ range: occurrence.range, newText: newName }));
  return { changes: { [uriOf(analysis)]: edits } };
}

/** Why `target` cannot be called `newName`, if it cannot. */
function renameProblem(analysis: SpecAnalysis, target: NavigableOccurrence, newName: string): string | undefined {
  if (!isIdentifier(newName)) return `\`${newName}\` is not a name: use letters, digits and \`_\`, not starting with a digit.`;
  if (newName === ANONYMOUS_AXIS) return "`_` marks an axis that no group acts on: it cannot be a name.";
  if (newName === target.name) return undefined;
  const occurrences = collectOccurrences(analysis.spec).filter(isNavigable);
  if (target.role === "symmetry") {
    // Keywords are fine as names (the parser reads them by position), but after `axis:` a kind wins.
    if (isGeometricKind(newName)) return `\`${newName}\` is an axis kind: \`orient: ${newName}\` would name the kind, not the symmetry.`;
    if (occurrences.some((occurrence) => occurrence.role === "symmetry" && occurrence.name === newName)) {
      return `A symmetry named \`${newName}\` already exists.`;
    }
    return undefined;
  }
  const axes = occurrences.filter((occurrence) => occurrence.role === "axis");
  if (!axes.some((axis) => axis.name === newName)) return undefined;
  const tensorsWithTarget = new Set(axes.filter((axis) => axis.name === target.name).map((axis) => axis.tensor));
  const onSameTensor = axes.find((axis) => axis.name === newName && axis.tensor && tensorsWithTarget.has(axis.tensor));
  if (onSameTensor?.tensor?.name) {
    return `\`${onSameTensor.tensor.name.text}\` already has an axis named \`${newName}\`: renaming \`${target.name}\` would make them one axis.`;
  }
  return `An axis named \`${newName}\` already exists: renaming \`${target.name}\` to it would make them one axis.`;
}

function tensorRenameRefusal(name: string): string {
  return `\`${name}\` is the model's name for the tensor: rename it in the ONNX model, not in the spec.`;
}

/** The navigable name under the cursor and every occurrence of the same thing. */
function targetAt(analysis: SpecAnalysis, position: Position): { target: NavigableOccurrence; all: NavigableOccurrence[] } | undefined {
  const occurrences = collectOccurrences(analysis.spec).filter(isNavigable);
  const target = occurrences.find((occurrence) => containsPosition(occurrence.range, position));
  if (!target) return undefined;
  return { target, all: occurrences.filter((occurrence) => sameTarget(occurrence, target)) };
}

function uriOf(analysis: SpecAnalysis): string {
  return pathToFileURL(analysis.specPath).href;
}

function locationOf(analysis: SpecAnalysis, range: Range): Location {
  return { uri: uriOf(analysis), range };
}
