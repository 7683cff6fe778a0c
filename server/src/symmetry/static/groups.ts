/**
 * A bound symmetry as the static analysis sees it: which kind of group, its generators (for the
 * finite groups, whose actions on channel-like axes are permutations), and the roles that the
 * group gives a declared tensor's axes (the inputs' starting states, the outputs' expected ones).
 */
import { actedAxes } from "../../binding/actions";
import type { BoundSymmetry, BoundTensor, Group } from "../../binding/bound";
import { ONE, type AxisRole } from "./domain";

/**
 * A generator of a finite spatial group: a quarter turn of the (a, b) plane, turning a towards b
 * (`turn`), or a flip of b (`flip`, for dihedral; of the one axis for flip).
 */
export type Generator = "turn" | "flip";

export interface AnalysisGroup {
  name: string;
  group: Group;
  /** For flip, rotate90 and dihedral: the generators, in a fixed order (permutation roles index them). */
  generators: readonly Generator[];
}

export function analysisGroup(symmetry: BoundSymmetry): AnalysisGroup {
  return { name: symmetry.name, group: symmetry.group, generators: generatorsOf(symmetry.group) };
}

function generatorsOf(group: Group): Generator[] {
  switch (group.kind) {
    case "flip":
      return ["flip"];
    case "rotate90":
      return ["turn"];
    case "dihedral":
      return ["turn", "flip"];
    default:
      return [];
  }
}

/** True for the groups that act by moving entries along named axes (so any elementwise op commutes with them). */
export function movesEntries(group: Group): boolean {
  return group.kind === "translate" || group.kind === "flip" || group.kind === "rotate90" || group.kind === "dihedral" || group.kind === "permute";
}

/** The order of a finite group's elements as the regular representation indexes them. */
export function groupOrder(group: Group): number | undefined {
  return group.kind === "flip" ? 2 : group.kind === "rotate90" ? 4 : group.kind === "dihedral" ? 8 : undefined;
}

/**
 * The regular representation's permutations, one per generator: (g.X)[i] = X[perm[i]], where g
 * moves entry h to entry g*h (so X'[g*h] = X[h], i.e. perm[i] = index of g^-1 * element(i)).
 * Elements of the dihedral group are indexed k + 4*m for (turn)^k after (flip)^m.
 */
export function regularPerms(analysis: AnalysisGroup): number[][] {
  const order = groupOrder(analysis.group);
  if (order === undefined) return [];
  return analysis.generators.map((generator) => Array.from({ length: order }, (_, i) => indexOf(compose(inverse(generator, order), elementAt(i, order)), order)));
}

/** A dihedral element as (turns k, flips m): the map x -> turn^k(flip^m(x)). */
interface Element {
  k: number;
  m: number;
}

function elementAt(i: number, order: number): Element {
  return order === 2 ? { k: 0, m: i } : { k: i % 4, m: Math.floor(i / 4) };
}

function indexOf(element: Element, order: number): number {
  return order === 2 ? element.m : element.k + 4 * element.m;
}

function inverse(generator: Generator, order: number): Element {
  // A flip is its own inverse; the inverse of a quarter turn is three quarter turns.
  return generator === "flip" ? { k: 0, m: 1 } : { k: order === 4 || order === 8 ? 3 : 0, m: 0 };
}

/** a*b as maps: first b, then a. Uses flip o turn^k = turn^-k o flip. */
function compose(a: Element, b: Element): Element {
  const k = a.m === 1 ? a.k - b.k : a.k + b.k;
  return { k: ((k % 4) + 4) % 4, m: (a.m + b.m) % 2 };
}

/** The roles a symmetry gives a declared tensor's axes (undefined where it does not move an axis). */
export function declaredRoles(analysis: AnalysisGroup, tensor: BoundTensor): (AxisRole | undefined)[] {
  const roles: (AxisRole | undefined)[] = tensor.axes.map(() => undefined);
  for (const axis of actedAxes(analysis, tensor)) roles[axis.index] = roleFor(analysis, axis.role, axis.name, tensor.axes[axis.index].kind);
  return roles;
}

function roleFor(analysis: AnalysisGroup, role: ReturnType<typeof actedAxes>[number]["role"], axisName: string, kind: BoundTensor["axes"][number]["kind"]): AxisRole {
  if (role === "regular") return { kind: "permutation", perms: regularPerms(analysis) };
  if (role === "rotated") return { kind: "geometric", groupAxis: axisName, as: geometricKind(analysis.group, kind) };
  return { kind: "grid", groupAxis: axisName, scale: ONE };
}

/**
 * How a rotation group moves an axis of this kind. A point differs from a vector only where the
 * group translates, a pseudovector only where it reflects: elsewhere both are plain vectors, so
 * that `pos - c` under SO(xyz) is the vector it is, and an output declared either way matches.
 */
function geometricKind(group: Group, kind: BoundTensor["axes"][number]["kind"]): "vector" | "pseudovector" | "point" {
  const translates = group.kind === "rotation" && group.translations;
  const reflects = group.kind === "rotation" && group.reflections;
  if (kind === "point" && translates) return "point";
  if (kind === "pseudovector" && reflects) return "pseudovector";
  return "vector";
}

/** The value exponent a value group gives a declared tensor: 1 when it is listed (negated or scaled), else 0. */
export function declaredExponent(analysis: AnalysisGroup, tensorName: string): number {
  const group = analysis.group;
  return (group.kind === "negate" || group.kind === "scale") && group.tensors.includes(tensorName) ? 1 : 0;
}
