/**
 * How a symmetry acts on a tensor, in one place: which axes it moves and in what role, and
 * the same in words for hover. The semantics (docs: dsl.md): axis groups act on every tensor
 * with an axis of their names, value groups on the tensors they list, and a `regular` axis is
 * acted on by the finite symmetry its kind names.
 */
import { listInWords } from "../common/suggest";
import type { AxisKind, BoundSymmetry, BoundTensor, Group } from "./bound";

/** What an action needs of a symmetry: a BoundSymmetry, or one read from a declaration. */
export type ActingSymmetry = Pick<BoundSymmetry, "name" | "group">;

/** What an action needs of a tensor: a BoundTensor, or one read from a declaration. */
export interface ActedTensor {
  name: string;
  axes: readonly Pick<BoundTensor["axes"][number], "name" | "kind" | "regularOf">[];
}

/**
 * - `shifted`: cyclic shifts (translate);
 * - `reversed`: flip;
 * - `turned-from` / `turned-to`: the two axes of a rotate90 or dihedral plane, in their order;
 * - `permuted`: permute;
 * - `rotated`: SO/O/SE/E, by the axis' kind;
 * - `regular`: the axis carries the symmetry's regular representation.
 */
export type AxisRole = "shifted" | "reversed" | "turned-from" | "turned-to" | "permuted" | "rotated" | "regular";

export interface ActedAxis {
  /** Position in the tensor (zero-based). */
  index: number;
  name: string;
  kind: AxisKind;
  role: AxisRole;
}

/** The axes of the tensor that the symmetry moves, in axis order; empty for value groups. */
export function actedAxes(symmetry: ActingSymmetry, tensor: ActedTensor): ActedAxis[] {
  const acted: ActedAxis[] = [];
  tensor.axes.forEach((axis, index) => {
    const role = axis.kind === "regular" ? (axis.regularOf === symmetry.name ? "regular" : undefined) : roleOf(symmetry, axis.name);
    if (role) acted.push({ index, name: axis.name, kind: axis.kind, role });
  });
  return acted;
}

function roleOf(symmetry: ActingSymmetry, axisName: string): AxisRole | undefined {
  const group = symmetry.group;
  switch (group.kind) {
    case "translate":
      return group.axes.includes(axisName) ? "shifted" : undefined;
    case "flip":
      return group.axis === axisName ? "reversed" : undefined;
    case "rotate90":
    case "dihedral":
      return group.axes[0] === axisName ? "turned-from" : group.axes[1] === axisName ? "turned-to" : undefined;
    case "permute":
      return group.axis === axisName ? "permuted" : undefined;
    case "rotation":
      return group.axis === axisName ? "rotated" : undefined;
    case "negate":
    case "scale":
      return undefined;
  }
}

/**
 * For a quarter-turn group (rotate90, dihedral): the plane axis a tensor (its axis names) has when it lacks the
 * other one. A quarter turn moves entries from one axis of the plane to the other, so it has no
 * action on such a tensor.
 */
export function halfPlane(group: Group, axisNames: readonly string[]): { plane: string; has: string; lacks: string } | undefined {
  if (group.kind !== "rotate90" && group.kind !== "dihedral") return undefined;
  const names = new Set(axisNames);
  const [first, second] = group.axes;
  if (names.has(first) === names.has(second)) return undefined;
  const plane = `(${first}, ${second})`;
  return names.has(first) ? { plane, has: first, lacks: second } : { plane, has: second, lacks: first };
}

/** Whether the symmetry changes the tensor at all: moves one of its axes, or lists it. */
export function actsOn(symmetry: ActingSymmetry, tensor: ActedTensor): boolean {
  const group = symmetry.group;
  if (group.kind === "negate" || group.kind === "scale") return group.tensors.includes(tensor.name);
  return actedAxes(symmetry, tensor).length > 0;
}

/**
 * The action in words, for hover: "shifts y (axis 2) and x (axis 3) cyclically",
 * "negates the whole tensor", "does not act on scores".
 */
export function describeAction(symmetry: ActingSymmetry, tensor: ActedTensor): string {
  const group = symmetry.group;
  if (!actsOn(symmetry, tensor)) return `does not act on ${tensor.name}`;
  if (group.kind === "negate") return "negates the whole tensor";
  if (group.kind === "scale") return "scales the whole tensor by a factor s > 0";
  const acted = actedAxes(symmetry, tensor);
  const moved = acted.filter((axis) => axis.role !== "regular");
  const parts = moved.length ? [describeMovedAxes(symmetry, moved)] : [];
  for (const axis of acted.filter((candidate) => candidate.role === "regular")) parts.push(describeRegularAxis(symmetry, axis));
  return parts.join("; ");
}

function describeMovedAxes(symmetry: ActingSymmetry, axes: ActedAxis[]): string {
  const group = symmetry.group;
  const where = axesInWords(axes);
  switch (group.kind) {
    case "translate":
      return `shifts ${where} cyclically${group.step > 1 ? ` by multiples of ${group.step}` : ""}`;
    case "flip":
      return `reverses ${where}`;
    case "rotate90":
      return `turns ${where} by quarter turns${planeDirection(axes)}`;
    case "dihedral":
      return `turns and reflects ${where} as a square${planeDirection(axes)}`;
    case "permute":
      return `permutes ${where}${axes.length > 1 ? " by the same permutation" : ""}`;
    case "rotation":
      return axes.map((axis) => `rotates ${axisInWords(axis)} ${rotationInWords(group.reflections, group.translations, axis.kind)}`).join("; ");
    default:
      return "";
  }
}

/** `, y towards x` when both axes of the plane are on the tensor. */
function planeDirection(axes: ActedAxis[]): string {
  const from = axes.find((axis) => axis.role === "turned-from");
  const to = axes.find((axis) => axis.role === "turned-to");
  return from && to ? ` (${from.name} towards ${to.name})` : "";
}

/** `as a point: rotation, reflection and translation`: what SO/O/SE/E do to an axis of this kind. */
function rotationInWords(reflections: boolean, translations: boolean, kind: AxisKind): string {
  const asWhat = kind === "point" || kind === "pseudovector" ? kind : "vector";
  const motions = ["rotation"];
  if (reflections) motions.push(kind === "pseudovector" ? "reflection with a sign flip" : "reflection");
  if (translations && kind === "point") motions.push("translation");
  return `as a ${asWhat}: ${listInWords(motions, "and")}`;
}

function describeRegularAxis(symmetry: ActingSymmetry, axis: ActedAxis): string {
  const representation = `the regular representation of ${symmetry.name}`;
  switch (symmetry.group.kind) {
    case "rotate90":
      return `shifts ${axisInWords(axis)} cyclically: ${representation}`;
    case "flip":
      return `swaps the two entries of ${axisInWords(axis)}: ${representation}`;
    default:
      return `permutes the 8 entries of ${axisInWords(axis)}: ${representation}`;
  }
}

/** `y (axis 2) and x (axis 3)`; one name on several axes: `node (axes 1 and 2)`. */
function axesInWords(axes: ActedAxis[]): string {
  const names = [...new Set(axes.map((axis) => axis.name))];
  return listInWords(
    names.map((name) => {
      const indices = axes.filter((axis) => axis.name === name).map((axis) => String(axis.index));
      return indices.length === 1 ? `${name} (axis ${indices[0]})` : `${name} (axes ${listInWords(indices, "and")})`;
    }),
    "and",
  );
}

function axisInWords(axis: ActedAxis): string {
  return `${axis.name} (axis ${axis.index})`;
}
