/**
 * What a declaration means, read straight from the syntax tree: the group a `symmetry`
 * statement declares, and the kind of an axis. The builder uses these for the declarations
 * that passed their checks; a few checks use them to reason about declarations in advance.
 */
import type { Range } from "../common/text";
import type * as ast from "../dsl/ast";
import { AXIS_KINDS, REGULAR_GROUP_ORDERS, findConstructor } from "../dsl/vocabulary";
import type { AxisKind, Group } from "./bound";
import type { SymbolTable } from "./symbols";

/** The group a symmetry declares; undefined when its constructor or arguments are missing. */
export function groupOf(declaration: ast.SymmetryDeclaration): Group | undefined {
  const constructor = declaration.constructorName?.text;
  const axes = positionalNames(declaration).map((name) => name.text);
  const [first, second] = axes;
  switch (constructor) {
    case "translate":
      return first === undefined ? undefined : { kind: "translate", axes, step: optionValue(declaration, "step") ?? 1, margin: optionValue(declaration, "margin") ?? 0 };
    case "flip":
    case "permute":
      return first === undefined ? undefined : { kind: constructor, axis: first };
    case "rotate90":
    case "dihedral":
      return first === undefined || second === undefined ? undefined : { kind: constructor, axes: [first, second] };
    case "SO":
    case "O":
    case "SE":
    case "E":
      return first === undefined
        ? undefined
        : { kind: "rotation", constructor, axis: first, reflections: constructor === "O" || constructor === "E", translations: constructor === "SE" || constructor === "E" };
    case "negate":
    case "scale": {
      const tensors = tensorArguments(declaration).map((arg) => arg.name);
      return tensors.length ? { kind: constructor, tensors } : undefined;
    }
    default:
      return undefined;
  }
}

/** The tensor names a value group lists, quoted or not, with where each is written. */
export function tensorArguments(declaration: ast.SymmetryDeclaration): { name: string; range: Range }[] {
  // Loops rather than flatMap here and below: binding calls these for every symmetry and claim, and flatMap is several times slower.
  const tensors: { name: string; range: Range }[] = [];
  for (const { option, value } of declaration.args) {
    if (option || !value) continue;
    if (isName(value)) tensors.push({ name: value.text, range: value.range });
    else if (typeof value.value === "string") tensors.push({ name: value.value, range: value.range });
  }
  return tensors;
}

/** The whole-number value of an option such as `step=2`, when one is written. */
export function optionValue(declaration: ast.SymmetryDeclaration, option: string): number | undefined {
  const value = declaration.args.find((arg) => arg.option?.text === option)?.value;
  return isNumberLiteral(value) ? value.value : undefined;
}

/** The order of the finite group a symmetry declares (flip 2, rotate90 4, dihedral 8), else undefined. */
export function finiteGroupOrder(declaration: ast.SymmetryDeclaration | undefined): number | undefined {
  const constructor = declaration?.constructorName?.text;
  // Own keys only: a constructor spelt `toString` must not find Object's.
  return constructor !== undefined && Object.hasOwn(REGULAR_GROUP_ORDERS, constructor) ? REGULAR_GROUP_ORDERS[constructor] : undefined;
}

/** Whether a written axis kind names one of `vector`, `pseudovector`, `point`. */
export function isGeometricKind(text: string): text is "vector" | "pseudovector" | "point" {
  return AXIS_KINDS.some((kind) => kind.name === text);
}

/**
 * An axis' kind: as written, `regular` when it names a finite symmetry, `vector` (the default
 * of rotated axes) when a rotation group acts on it, and `plain` otherwise.
 */
export function axisKindOf(axis: ast.AxisDeclaration, symbols: SymbolTable): { kind: AxisKind; regularOf?: string } {
  const written = axis.axisKind?.text;
  if (written === undefined) return { kind: symbols.rotatedAxisNames.has(axis.name.text) ? "vector" : "plain" };
  if (isGeometricKind(written)) return { kind: written };
  if (finiteGroupOrder(symbols.symmetries.get(written)) !== undefined) return { kind: "regular", regularOf: written };
  return { kind: "plain" };
}

/** SO, O, SE and E: the groups that rotate an axis of size 2 or 3 by its kind. */
export function isRotationConstructor(name: string | undefined): name is "SO" | "O" | "SE" | "E" {
  return name === "SO" || name === "O" || name === "SE" || name === "E";
}


/** Whether the constructor's positional arguments are axes (not tensors). */
export function takesAxes(declaration: ast.SymmetryDeclaration): boolean {
  return findConstructor(declaration.constructorName?.text ?? "")?.argumentKind === "axis";
}

/** The positional arguments of a symmetry that are plain (unquoted) names: the axes it names. */
export function positionalNames(declaration: ast.SymmetryDeclaration): ast.Name[] {
  const names: ast.Name[] = [];
  for (const { option, value } of declaration.args) if (!option && isName(value) && !value.quoted) names.push(value);
  return names;
}

export function isName(value: ast.Argument["value"]): value is ast.Name {
  return value !== undefined && "quoted" in value;
}

export function isNumberLiteral(value: ast.Argument["value"]): value is ast.NumberLiteral {
  return value !== undefined && !isName(value) && typeof value.value === "number";
}
