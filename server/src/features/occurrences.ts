/**
 * Every name written in a spec, with the role it plays there: the one walk of the tree that
 * hover, go-to-definition, references and rename share. Tensor, axis and symmetry names are
 * the navigable ones; the others (constructors, options, axis kinds, settings, distributions)
 * are indexed so that hover can explain them.
 */
import { isGeometricKind, positionalNames, tensorArguments } from "../binding/meaning";
import { ANONYMOUS_AXIS } from "../binding/symbols";
import { comparePositions, containsPosition, type Position, type Range } from "../common/text";
import type * as ast from "../dsl/ast";
import { findConstructor } from "../dsl/vocabulary";

export type Occurrence =
  | { role: "tensor"; name: string; range: Range; declaration: boolean; direction?: "input" | "output" }
  /** `tensor` is the declaration whose axis list holds the axis, for declarations. */
  | { role: "axis"; name: string; range: Range; declaration: boolean; tensor?: ast.TensorDeclaration }
  | { role: "symmetry"; name: string; range: Range; declaration: boolean }
  | { role: "constructor"; name: string; range: Range }
  | { role: "option"; name: string; range: Range; constructorName: string }
  | { role: "axisKind"; name: string; range: Range }
  | { role: "setting"; name: string; range: Range }
  | { role: "distribution"; name: string; range: Range };

export type NavigableOccurrence = Extract<Occurrence, { role: "tensor" | "axis" | "symmetry" }>;

/** Every occurrence, in source order. */
export function collectOccurrences(spec: ast.SpecFile): Occurrence[] {
  const occurrences: Occurrence[] = [];
  for (const statement of spec.statements) occurrences.push(...statementOccurrences(statement));
  return occurrences.sort((a, b) => comparePositions(a.range.start, b.range.start));
}

/** The occurrence under the cursor (a cursor right after a name counts). */
export function occurrenceAt(spec: ast.SpecFile, position: Position): Occurrence | undefined {
  return collectOccurrences(spec).find((occurrence) => containsPosition(occurrence.range, position));
}

export function isNavigable(occurrence: Occurrence): occurrence is NavigableOccurrence {
  return occurrence.role === "tensor" || occurrence.role === "axis" || occurrence.role === "symmetry";
}

/** Occurrences of the same thing: same role and name (tensors also by direction when known on both). */
export function sameTarget(a: NavigableOccurrence, b: NavigableOccurrence): boolean {
  if (a.role !== b.role || a.name !== b.name) return false;
  if (a.role === "tensor" && b.role === "tensor") return !a.direction || !b.direction || a.direction === b.direction;
  return true;
}

function statementOccurrences(statement: ast.Statement): Occurrence[] {
  switch (statement.kind) {
    case "model":
      return [];
    case "tensor":
      return tensorDeclarationOccurrences(statement);
    case "symmetry":
      return symmetryDeclarationOccurrences(statement);
    case "claim":
      return [
        ...statement.outputs.map((name): Occurrence => ({ role: "tensor", name: name.text, range: name.range, declaration: false, direction: "output" })),
        ...statement.symmetries.map((name): Occurrence => ({ role: "symmetry", name: name.text, range: name.range, declaration: false })),
      ];
    case "check":
      return statement.settings.flatMap(settingOccurrences);
  }
}

function tensorDeclarationOccurrences(declaration: ast.TensorDeclaration): Occurrence[] {
  const occurrences: Occurrence[] = [];
  if (declaration.name) {
    occurrences.push({ role: "tensor", name: declaration.name.text, range: declaration.name.range, declaration: true, direction: declaration.direction });
  }
  for (const axis of declaration.axes) {
    if (axis.name.text !== ANONYMOUS_AXIS) occurrences.push({ role: "axis", name: axis.name.text, range: axis.name.range, declaration: true, tensor: declaration });
    if (axis.axisKind) occurrences.push(axisKindOccurrence(axis.axisKind));
  }
  return occurrences;
}

/** `xyz: point` names an axis kind; `orient: turn` names a symmetry whose regular representation the axis carries. */
function axisKindOccurrence(kind: ast.Name): Occurrence {
  return isGeometricKind(kind.text)
    ? { role: "axisKind", name: kind.text, range: kind.range }
    : { role: "symmetry", name: kind.text, range: kind.range, declaration: false };
}

function symmetryDeclarationOccurrences(declaration: ast.SymmetryDeclaration): Occurrence[] {
  const occurrences: Occurrence[] = [];
  if (declaration.name) occurrences.push({ role: "symmetry", name: declaration.name.text, range: declaration.name.range, declaration: true });
  if (!declaration.constructorName) return occurrences;
  const constructorName = declaration.constructorName.text;
  occurrences.push({ role: "constructor", name: constructorName, range: declaration.constructorName.range });
  // The arguments of an unknown constructor name nothing we can tell apart; the binder reports the constructor.
  const info = findConstructor(constructorName);
  if (!info) return occurrences;
  for (const argument of declaration.args) {
    if (argument.option) occurrences.push({ role: "option", name: argument.option.text, range: argument.option.range, constructorName });
  }
  if (info.argumentKind === "axis") {
    for (const axis of positionalNames(declaration)) occurrences.push({ role: "axis", name: axis.text, range: axis.range, declaration: false });
  } else {
    for (const tensor of tensorArguments(declaration)) occurrences.push({ role: "tensor", name: tensor.name, range: tensor.range, declaration: false });
  }
  return occurrences;
}

function settingOccurrences(setting: ast.Setting): Occurrence[] {
  if (setting.kind === "unknown") return [];
  const occurrences: Occurrence[] = [{ role: "setting", name: setting.name.text, range: setting.name.range }];
  if (setting.kind === "size") {
    for (const size of setting.sizes) occurrences.push({ role: "axis", name: size.axis.text, range: size.axis.range, declaration: false });
  }
  if (setting.kind === "input") {
    if (setting.tensor) occurrences.push({ role: "tensor", name: setting.tensor.text, range: setting.tensor.range, declaration: false, direction: "input" });
    if (setting.source?.kind === "distribution") {
      occurrences.push({ role: "distribution", name: setting.source.distribution.text, range: setting.source.distribution.range });
    }
  }
  return occurrences;
}
