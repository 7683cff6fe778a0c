/**
 * Helpers shared by the rule families. Read this file before writing a helper of your own, and
 * add here what more than one family needs, instead of copying it.
 */
import { intsAttribute } from "../../../onnx/attributes";
import type { Dim, Node } from "../../../onnx/model";
import { mergedPartsInWords, withEffect, type ActedState, type AxisRole, type Effect, type MergedRole, type State } from "../domain";
import type { ConstantTensor, GraphFacts } from "../facts";
import type { AnalysisGroup } from "../groups";
import { rowMajorStrides } from "../inference/kernels";
import { listInWords } from "../../../common/suggest";

/**
 * An integer list that ONNX moved from an attribute to an input at some opset (Squeeze's axes in
 * 13, Slice's starts in 10, Reduce's axes in 18...): `absent` when the node does not give it,
 * `unknown` when it is an input whose value is not a known constant.
 */
export type IntList = { kind: "absent" } | { kind: "known"; values: number[] } | { kind: "unknown" };

export function intList(node: Node, facts: GraphFacts, attribute: string, inputIndex: number, inputSinceOpset: number): IntList {
  if (facts.opset < inputSinceOpset) {
    const values = intsAttribute(node, attribute);
    return values ? { kind: "known", values } : { kind: "absent" };
  }
  const input = node.inputs[inputIndex];
  if (!input) return { kind: "absent" };
  const constant = facts.constant(input);
  return constant ? { kind: "known", values: Array.from(constant.values) } : { kind: "unknown" };
}

export { normalizeAxis } from "../inference/dims";

/** The tensor's rank: from its roles when it has some, else from its shape. */
export function rankOf(state: ActedState, value: string, facts: GraphFacts): number | undefined {
  return state.roles.length > 0 ? state.roles.length : facts.shape(value)?.length;
}

/** One role per axis (an invariant state may list none): undefined when the rank is not known. */
export function rolesOf(state: ActedState, value: string, facts: GraphFacts): (AxisRole | undefined)[] | undefined {
  if (state.roles.length > 0) return [...state.roles];
  const rank = facts.shape(value)?.length;
  return rank === undefined ? undefined : Array.from({ length: rank }, () => undefined);
}

/** The static size of one axis of a value, when known. */
export function staticSize(facts: GraphFacts, value: string, axis: number): number | undefined {
  return sizeOf(facts.shape(value)?.[axis]);
}

/** The static sizes of `count` axes of a value from axis `first` on (undefined where not known), its shape looked up once. */
export function staticSizes(facts: GraphFacts, value: string, first: number, count: number): (number | undefined)[] {
  const shape = facts.shape(value);
  const sizes = new Array<number | undefined>(count);
  for (let i = 0; i < count; i++) sizes[i] = sizeOf(shape?.[first + i]);
  return sizes;
}

function sizeOf(dim: Dim | undefined): number | undefined {
  return dim?.kind === "static" ? dim.value : undefined;
}

/**
 * Whether a group's move of an axis is nothing when the axis has one entry, whatever the other
 * axes do: shifts, flips and permutations move each of their axes on its own; a permutation role
 * of one entry is the identity. (A quarter turn moves one plane axis into the other: not trivial.)
 */
export function trivialOnOneEntry(role: AxisRole, group: AnalysisGroup): boolean {
  if (role.kind === "permutation") return role.perms.every((perm) => perm.length === 1);
  if (role.kind !== "grid" || role.halo) return false;
  const kind = group.group.kind;
  return kind === "translate" || kind === "flip" || kind === "permute";
}

/**
 * How much a constant varies along one axis: the largest difference between an entry and the
 * first entry of its row along that axis (0 for a constant that is the same all along it).
 */
export function variationAlong(constant: ConstantTensor, axis: number): number {
  const dims = constant.dims;
  const size = dims[axis] ?? 1;
  const inner = dims.slice(axis + 1).reduce((product, dim) => product * dim, 1);
  const outer = constant.values.length / (size * inner);
  let largest = 0;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const first = constant.values[o * size * inner + i];
      for (let k = 1; k < size; k++) largest = Math.max(largest, Math.abs(constant.values[(o * size + k) * inner + i] - first));
    }
  }
  return largest;
}

/** The state with each effect added once (an effect met on several axes is reported once). */
export function withEffects(state: State, effects: readonly Effect[]): State {
  return effects.reduce(withEffect, state);
}

/** `0.83`, `1.2e-5`: a number in a message. */
export function formatNumber(value: number): string {
  return Number(value.toPrecision(2)).toString();
}

/**
 * Relative tolerance of checks on constants: weights meant to be equal (rotated copies, rows of
 * one value) are equal to float32 rounding, about 1e-7 of their size.
 */
export const WEIGHT_TOLERANCE = 1e-6;

/** Whether a difference between entries of a constant is more than rounding, relative to its largest entry. */
export function significantDifference(difference: number, constant: ConstantTensor): boolean {
  let largest = 0;
  for (let i = 0; i < constant.values.length; i++) largest = Math.max(largest, Math.abs(constant.values[i]));
  return difference > WEIGHT_TOLERANCE * largest;
}

/** Whether the group acts on values (negate, scale) rather than moving or rotating axes. */
export function isGroupOfValues(group: AnalysisGroup): boolean {
  return group.group.kind === "negate" || group.group.kind === "scale";
}

/** Whether two value exponents mean the same action: parity for negate, the degree for scale. */
export function sameExponent(group: AnalysisGroup, a: number, b: number): boolean {
  return group.group.kind === "negate" ? (a - b) % 2 === 0 : a === b;
}

/** `axis 2 (y)`, `axis 1 (y and x merged by flatten)`: an axis of an intermediate tensor, by what the group does to it. */
export function axisInWords(axis: number, role: AxisRole | undefined): string {
  if (!role) return `axis ${axis}`;
  switch (role.kind) {
    case "grid":
      return `axis ${axis} (${role.groupAxis})`;
    case "geometric":
      return `axis ${axis} (the ${role.as} axis ${role.groupAxis})`;
    case "permutation":
      return `axis ${axis} (whose entries the group permutes)`;
    case "merged":
      return `axis ${axis} (${mergedPartsInWords(role)} merged by ${role.via.node})`;
  }
}

/** The plane (a, b) of quarter turns and the dihedral group; undefined for other groups. */
export function planeOf(group: AnalysisGroup): readonly [string, string] | undefined {
  const kind = group.group;
  return kind.kind === "rotate90" || kind.kind === "dihedral" ? kind.axes : undefined;
}

/** Whether a value is a constant whose entries are all zero (a bias that adds nothing). */
export function isZeroConstant(facts: GraphFacts, value: string): boolean {
  const constant = facts.constant(value);
  return constant !== undefined && Array.from(constant.values).every((entry) => entry === 0);
}

/** The roles an axis is made of: itself, or the parts of a merged axis. */
function partsOf(role: AxisRole | undefined): (AxisRole | undefined)[] {
  return role?.kind === "merged" ? [...role.parts] : [role];
}

/** Whether an axis (or a part of a merged axis) is one of the group's plane axes, which quarter turns swap. */
export function holdsPlaneAxis(role: AxisRole | undefined, group: AnalysisGroup): boolean {
  const plane = planeOf(group);
  return plane !== undefined && partsOf(role).some((part) => part?.kind === "grid" && plane.includes(part.groupAxis));
}

/**
 * Why a function of all the entries along `axes` (a sum, a maximum, a softmax's or a norm's
 * statistics) is not left alone by the group slice by slice; undefined when it is. The group must
 * permute the entries within each slice: shifts, flips and permutations of an axis do; a quarter
 * turn moves one plane axis into the other, so it needs both plane axes pooled or neither. With
 * `countsRepeats`, circular padding still on a pooled axis is a problem: its copies of border
 * entries change with every shift, so sums and statistics change (a maximum does not).
 */
export function poolingProblem(roles: readonly (AxisRole | undefined)[], axes: readonly number[], group: AnalysisGroup, countsRepeats: boolean): string | undefined {
  const pooled = new Set(axes);
  const inside = roles.findIndex((role, axis) => pooled.has(axis) && holdsPlaneAxis(role, group));
  const outside = roles.findIndex((role, axis) => !pooled.has(axis) && holdsPlaneAxis(role, group));
  if (inside >= 0 && outside >= 0) {
    return `it pools over ${axisInWords(inside, roles[inside])} but not ${axisInWords(outside, roles[outside])}, which ${group.name}'s quarter turns mix`;
  }
  if (!countsRepeats) return undefined;
  for (const axis of axes) {
    const halo = partsOf(roles[axis]).find((part) => part?.kind === "grid" && part.halo);
    if (halo?.kind === "grid" && halo.halo) {
      return `it pools over ${axisInWords(axis, roles[axis])} with its circular padding (${halo.halo.before}+${halo.halo.after} cells), whose copies of border entries change when ${group.name} moves the axis`;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Fixed tensors (weights, biases, embeddings) that meet moved tensors

/** One axis of a fixed tensor: the role of the moved axis it meets (undefined where nothing moves), and that axis in words. */
interface MetAxis {
  role: AxisRole | undefined;
  /** `axis 1 (token)` (see axisInWords). */
  label: string;
}

export type FixedTensorCheck =
  | { kind: "invariant" }
  /** The group provably changes it: `reason` says where and by how much. */
  | { kind: "varies"; reason: string }
  /** Its values are not known, or it meets the group in a way this check does not model. */
  | { kind: "unsure"; reason: string };

const LEFT_ALONE: FixedTensorCheck = { kind: "invariant" };

/**
 * Whether a fixed tensor (weights, a bias, a positional embedding) is left alone by the group
 * where it meets moved tensors: `metRoles` has one entry per axis of the tensor, the role of
 * the moved axis it meets, which `labelOf` puts in words (only when a message needs it: most
 * fixed tensors are biases of one entry along every moved axis). An axis of one entry
 * is broadcast, the same all along the axis it meets; a merged axis is looked at part by part.
 * The test is exact, not "constant along every moved axis": g.c = c for each generator of the
 * group (a shift by the step, a reversal, a quarter turn with the permutation of a channel axis
 * it comes with, a swap and a cycle for permutations), so a palindromic bias keeps a flip and a
 * radial one keeps quarter turns. Differences within float rounding (significantDifference) do
 * not count. Rotation groups (geometric roles) are not handled here.
 */
export function checkFixedTensor(value: string, metRoles: readonly (AxisRole | undefined)[], labelOf: (axis: number) => string, group: AnalysisGroup, facts: GraphFacts): FixedTensorCheck {
  // Most fixed tensors (a per-channel bias) meet no moved axis at all, or none with more than one
  // entry, which a weight's sizes tell without decoding it (unless a node computes a value of that name too).
  if (metRoles.every((role) => role === undefined)) return LEFT_ALONE;
  const initializer = facts.model.graph.initializers.get(value);
  if (initializer && !spreadsAlongMovedAxis(metRoles, initializer.dims) && !facts.producer(value)) return LEFT_ALONE;
  const constant = facts.constant(value);
  const sizes = constant?.dims ?? facts.shape(value)?.map((dim) => (dim.kind === "static" ? dim.value : undefined));
  if (!spreadsAlongMovedAxis(metRoles, sizes)) return LEFT_ALONE;
  const spread = (axis: number) => metRoles[axis] !== undefined && sizes?.[axis] !== 1;
  const met = metRoles.map((role, axis): MetAxis => ({ role, label: labelOf(axis) }));
  if (!constant) {
    const where = listInWords(met.filter((_, axis) => spread(axis)).map((axis) => axis.label), "and");
    return { kind: "unsure", reason: `${value} is not a constant of the model, so whether it varies along ${where}, which ${group.name} moves, cannot be decided` };
  }
  const expanded = expandMergedAxes(constant, met);
  if (typeof expanded === "string") return { kind: "unsure", reason: `${value} ${expanded}` };
  const axes: SpreadAxis[] = expanded.met.flatMap((axis, index) => (axis.role && expanded.dims[index] !== 1 ? [{ index, role: axis.role, label: axis.label, size: expanded.dims[index] }] : []));
  const moves = generatorMoves(axes, group);
  if (typeof moves === "string") return { kind: "unsure", reason: `${value} ${moves}` };
  for (const move of moves) {
    const difference = largestChange(expanded.values, expanded.dims, move.source);
    if (significantDifference(difference, constant)) return { kind: "varies", reason: `${value} ${move.describe}: largest difference ${formatNumber(difference)}` };
  }
  return LEFT_ALONE;
}

/** Whether a fixed tensor of these sizes has more than one entry (or may have) along some axis that meets a moved one. */
function spreadsAlongMovedAxis(metRoles: readonly (AxisRole | undefined)[], sizes: readonly (number | undefined)[] | undefined): boolean {
  for (let axis = 0; axis < metRoles.length; axis++) if (metRoles[axis] !== undefined && sizes?.[axis] !== 1) return true;
  return false;
}

/**
 * The constant with each axis that meets a merged axis split into the merged parts (row-major,
 * so the values stay as they are), or why it cannot be.
 */
function expandMergedAxes(constant: ConstantTensor, met: readonly MetAxis[]): { dims: number[]; met: MetAxis[]; values: ArrayLike<number> } | string {
  if (constant.dims.length !== met.length) return `has ${constant.dims.length} axes where ${met.length} were expected`;
  const dims: number[] = [];
  const parts: MetAxis[] = [];
  for (const [index, axis] of met.entries()) {
    const size = constant.dims[index];
    if (axis.role?.kind !== "merged" || size === 1) {
      dims.push(size);
      parts.push(axis);
      continue;
    }
    if (axis.role.sizes.reduce((total, part) => total * part, 1) !== size) return `meets ${axis.label} with ${size} entries, not the merged axes' ${axis.role.sizes.join("x")}`;
    axis.role.parts.forEach((role, k) => {
      dims.push((axis.role as MergedRole).sizes[k]);
      parts.push({ role, label: `the ${role?.kind === "grid" ? role.groupAxis : "permuted"} part of ${axis.label}` });
    });
  }
  return { dims, met: parts, values: constant.values };
}

/** An axis of a fixed tensor with more than one entry, meeting a moved axis. */
interface SpreadAxis {
  index: number;
  role: AxisRole;
  label: string;
  size: number;
}

/** What one generator does to a fixed tensor's entries. */
interface Move {
  /** The position of the entry that lands at `position`. */
  source(position: readonly number[]): number[];
  /** `varies along axis 1 (token), which perm moves`. */
  describe: string;
}

/** The moves of the group's generators on the fixed tensor's axes, or why they cannot be told. */
function generatorMoves(axes: readonly SpreadAxis[], group: AnalysisGroup): Move[] | string {
  if (axes.some((axis) => axis.role.kind === "geometric" || axis.role.kind === "merged")) return "meets an axis that this check does not follow";
  const kind = group.group;
  switch (kind.kind) {
    case "translate":
      return kind.axes.flatMap((groupAxis) => shiftMoves(gridAxes(axes, groupAxis), kind.step, group.name));
    case "permute":
      return permuteMoves(gridAxes(axes, kind.axis), group.name);
    case "flip":
    case "rotate90":
    case "dihedral":
      return finiteGroupMoves(axes, group);
    default:
      return "meets an axis that this group does not move";
  }
}

function gridAxes(axes: readonly SpreadAxis[], groupAxis: string): SpreadAxis[] {
  return axes.filter((axis) => axis.role.kind === "grid" && axis.role.groupAxis === groupAxis);
}

function labels(axes: readonly SpreadAxis[]): string {
  return listInWords(axes.map((axis) => axis.label), "and");
}

/**
 * A shift of the input by the step moves a grid axis by step * scale cells; invariance under it
 * is periodicity. Where that is not a whole number of cells, or circular padding is still on the
 * axis, being constant along the axis (invariance under a shift by one) is asked instead: enough
 * whatever the group does to the entries.
 */
function shiftMoves(axes: readonly SpreadAxis[], step: number, name: string): Move[] {
  if (axes.length === 0) return [];
  const shifts = axes.map((axis) => {
    const role = axis.role as Extract<AxisRole, { kind: "grid" }>;
    const cells = (step * role.scale.num) / role.scale.den;
    return Number.isInteger(cells) && !role.halo ? cells : 1;
  });
  const describe = shifts.every((cells) => cells === 1)
    ? `varies along ${labels(axes)}, which ${name} moves`
    : `changes when ${labels(axes)} ${axes.length > 1 ? "are" : "is"} shifted by ${shifts.join(" and ")}, as ${name} does`;
  return [{ describe, source: (position) => withMoved(position, axes, (axis, index) => (index - shifts[axes.indexOf(axis)] + axis.size) % axis.size) }];
}

/** All permutations of an axis (of every axis it names, together) are made by a swap of two entries and a cycle. */
function permuteMoves(axes: readonly SpreadAxis[], name: string): Move[] | string {
  if (axes.length === 0) return [];
  if (axes.some((axis) => axis.size !== axes[0].size)) return `meets ${labels(axes)}, which have different sizes`;
  const describe = axes.length === 1 ? `varies along ${labels(axes)}, which ${name} moves` : `changes when ${labels(axes)} are permuted together, as ${name} does`;
  const swap = (index: number) => (index === 0 ? 1 : index === 1 ? 0 : index);
  return [
    { describe, source: (position) => withMoved(position, axes, (_, index) => swap(index)) },
    { describe, source: (position) => withMoved(position, axes, (axis, index) => (index + 1) % axis.size) },
  ];
}

/**
 * Flips, quarter turns and the dihedral group: each generator moves the plane (or the flipped
 * axis) and permutes the axes with a permutation role, together, as one element of the group.
 */
function finiteGroupMoves(axes: readonly SpreadAxis[], group: AnalysisGroup): Move[] | string {
  const plane = planeOf(group);
  const fromAxes = plane ? gridAxes(axes, plane[0]) : [];
  const flipped = plane ? plane[1] : (group.group as Extract<AnalysisGroup["group"], { kind: "flip" }>).axis;
  const toAxes = gridAxes(axes, flipped);
  if (fromAxes.length > 1 || toAxes.length > 1) return `meets ${labels([...fromAxes, ...toAxes])}: more than one axis per moved axis`;
  const spatial = [...fromAxes, ...toAxes];
  // A quarter turn moves one plane axis into the other: a tensor broadcast along one of them keeps
  // the turns only if it is constant along the other. Circular padding: ask for constancy too.
  const constantAlong = spatial.some((axis) => axis.role.kind === "grid" && axis.role.halo) || (plane !== undefined && spatial.length === 1);
  const moves: Move[] = constantAlong ? spatial.map((axis) => constancyMove(axis, group.name)) : [];
  const [from, to] = constantAlong ? [undefined, undefined] : [fromAxes[0], toAxes[0]];
  if (from && to && from.size !== to.size) return `meets ${labels([from, to])}, which have different sizes`;
  const permuted = axes.filter((axis) => axis.role.kind === "permutation");
  if (permuted.some((axis) => (axis.role as Extract<AxisRole, { kind: "permutation" }>).perms.some((perm) => perm.length !== axis.size))) {
    return `meets ${labels(permuted)} with a size other than the group's order`;
  }
  const alsoPermuted = permuted.length > 0 ? ` (with the permutation of ${labels(permuted)} that comes with it)` : "";
  group.generators.forEach((generator, g) => {
    const perms = permuted.map((axis) => (axis.role as Extract<AxisRole, { kind: "permutation" }>).perms[g]);
    const motion = generator === "turn" ? `quarter turn of (${plane?.join(", ")})` : `reflection of ${flipped}`;
    moves.push({
      describe: `changes under ${group.name}'s ${motion}${alsoPermuted}`,
      source: (position) => {
        const source = [...position];
        permuted.forEach((axis, i) => (source[axis.index] = perms[i][position[axis.index]]));
        if (generator === "turn" && from && to) {
          // numpy.rot90 turning a towards b: x'[i, j] = x[j, n-1-i].
          source[from.index] = position[to.index];
          source[to.index] = to.size - 1 - position[from.index];
        } else if (generator === "flip" && to) {
          source[to.index] = to.size - 1 - position[to.index];
        }
        return source;
      },
    });
  });
  return moves;
}

/** Invariance under a shift by one entry: being the same all along the axis. */
function constancyMove(axis: SpreadAxis, name: string): Move {
  return { describe: `varies along ${axis.label}, which ${name} moves`, source: (position) => withMoved(position, [axis], (_, index) => (index + 1) % axis.size) };
}

/** The position with the given axes' indices replaced. */
function withMoved(position: readonly number[], axes: readonly SpreadAxis[], move: (axis: SpreadAxis, index: number) => number): number[] {
  const moved = [...position];
  for (const axis of axes) moved[axis.index] = move(axis, position[axis.index]);
  return moved;
}

/** The largest |c[p] - c[source(p)]| over every position p of the constant's entries (row-major, of shape `dims`). */
function largestChange(values: ArrayLike<number>, dims: readonly number[], source: (position: readonly number[]) => number[]): number {
  const strides = rowMajorStrides(dims);
  const position = dims.map(() => 0);
  let largest = 0;
  for (let offset = 0; offset < values.length; offset++) {
    let rest = offset;
    dims.forEach((_, axis) => {
      position[axis] = Math.floor(rest / strides[axis]);
      rest -= position[axis] * strides[axis];
    });
    const from = source(position).reduce((total, index, axis) => total + index * strides[axis], 0);
    largest = Math.max(largest, Math.abs(values[offset] - values[from]));
  }
  return largest;
}
