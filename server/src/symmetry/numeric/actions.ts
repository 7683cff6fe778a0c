/**
 * How a group element moves a declared tensor, as the spec defines it (docs: dsl.md), on dense
 * float64 values. Which axes an element moves, and in what role, is the binder's one reading
 * (actedAxes): axis groups act jointly on every tensor with an axis of their names (an axis named
 * twice in a tensor is moved twice by the same element), value groups on the tensors they list,
 * and a `regular` axis by the finite symmetry it names.
 * - translate: cyclic shifts, x'[i] = x[i - t mod n];
 * - flip: x'[i] = x[n-1-i];
 * - rotate90(a, b): numpy.rot90(x, 1, axes=(a, b)), x'[i, j] = x[j, n-1-i]; dihedral adds the flip of b;
 * - regular axes: g moves entry h to entry g*h, X'[g*h] = X[h];
 * - permute: x'[i] = x[perm[i]];
 * - SO/O/SE/E: R v along the axis (det(R) R v for pseudovectors, R p + t for points);
 * - negate, scale: the listed tensors times -1 or s > 0.
 */
import { actedAxes, type ActedAxis, type ActedTensor } from "../../binding/actions";
import type { BoundAxis, BoundTensor } from "../../binding/bound";
import { groupOrder } from "../static/groups";
import { gather, identityOffsets, offsetTable, stridesOf, type Dense } from "./dense";
import type { GroupElement, PermutationElement, RigidElement, ShiftElement, SquareElement } from "./elements";
import { determinant } from "./rotations";

/**
 * A declared tensor as the process that runs the model needs it: its name and its axes' names,
 * kinds and sizes, without the spec's syntax tree and the model's value info (a job for that
 * process is copied to it whole).
 */
export interface DeclaredTensor extends ActedTensor {
  axes: readonly Pick<BoundAxis, "name" | "kind" | "regularOf" | "size">[];
}

export function declaredTensor(tensor: BoundTensor): DeclaredTensor {
  return { name: tensor.name, axes: tensor.axes.map(({ name, kind, regularOf, size }) => ({ name, kind, regularOf, size })) };
}

/**
 * g.x for a declared tensor (its shape is x's), in the array `into` when given (as long as x's,
 * not x's own). Throws, with a message for the user, where the element cannot act on the
 * tensor's shape.
 */
export function actOn(element: GroupElement, tensor: ActedTensor, x: Dense, into?: Dense["data"]): Dense {
  const moved = move(element, tensor, x, into);
  if (into && moved.data !== into) into.set(moved.data);
  return into ? { shape: x.shape, data: into } : moved;
}

function move(element: GroupElement, tensor: ActedTensor, x: Dense, into?: Dense["data"]): Dense {
  if (element.kind === "value") {
    const group = element.symmetry.group;
    const listed = (group.kind === "negate" || group.kind === "scale") && group.tensors.includes(tensor.name);
    return listed ? { shape: x.shape, data: x.data.map((value) => value * element.factor) } : x;
  }
  if (element.kind === "rigid") {
    checkRank(tensor, x.shape);
    return actedAxes(element.symmetry, tensor).reduce((y, axis) => transformAxis(element, tensor, y, axis), x);
  }
  const offsets = entryOffsets(element, tensor, x.shape);
  return offsets ? gather(x, offsets, into) : x;
}

/**
 * For an element that only moves entries (a shift, a flip, a quarter turn, a permutation, a
 * regular representation): where g.x reads each entry of x, as gather's offsets (dense.ts).
 * Undefined for the elements that change values (rotations of vectors, sign flips, scales), and
 * where the element leaves the tensor as it is. Throws, like actOn, where the element cannot act
 * on the shape.
 */
export function entryOffsets(element: GroupElement, tensor: ActedTensor, shape: readonly number[]): Int32Array[] | undefined {
  if (element.kind === "value" || element.kind === "rigid") return undefined;
  checkRank(tensor, shape);
  const acted = actedAxes(element.symmetry, tensor);
  if (acted.length === 0) return undefined;
  switch (element.kind) {
    case "shift":
      return shiftOffsets(element, acted, shape);
    case "permutation":
      return permutationOffsets(element, tensor, acted, shape);
    case "square":
      return squareOffsets(element, tensor, acted, shape);
  }
}

function checkRank(tensor: ActedTensor, shape: readonly number[]): void {
  if (shape.length !== tensor.axes.length) throw new Error(`${tensor.name} has ${shape.length} axes, but ${tensor.axes.length} are declared`);
}

function shiftOffsets(element: ShiftElement, acted: readonly ActedAxis[], shape: readonly number[]): Int32Array[] {
  const offsets = identityOffsets(shape);
  const strides = stridesOf(shape);
  for (const axis of acted) {
    const n = shape[axis.index];
    const t = element.shifts.get(axis.name) ?? 0;
    offsets[axis.index] = offsetTable(n, (i) => ((((i - t) % n) + n) % n) * strides[axis.index]);
  }
  return offsets;
}

function permutationOffsets(element: PermutationElement, tensor: ActedTensor, acted: readonly ActedAxis[], shape: readonly number[]): Int32Array[] {
  const offsets = identityOffsets(shape);
  const strides = stridesOf(shape);
  for (const axis of acted) {
    const n = shape[axis.index];
    if (n !== element.permutation.length) throw new Error(`${axis.name} has ${n} entries on ${tensor.name} but ${element.permutation.length} elsewhere: a permutation needs one size`);
    offsets[axis.index] = offsetTable(n, (i) => element.permutation[i] * strides[axis.index]);
  }
  return offsets;
}

// ---------------------------------------------------------------------------------------------
// Turns and flips

/**
 * The element's 2x2 matrix on centred plane coordinates (u, v), such that (g.x)(p) = x(A^-1 p):
 * a quarter turn reads x'(u, v) = x(v, -u), so A_turn = [[0, -1], [1, 0]]; the flip of b reads
 * x(u, -v), A_flip = diag(1, -1); turns after flips is A_turn^turns A_flip^flips.
 */
function planeMatrix(turns: number, flips: number): number[] {
  let matrix = flips % 2 === 1 ? [1, 0, 0, -1] : [1, 0, 0, 1];
  for (let turn = 0; turn < turns; turn++) matrix = multiply([0, -1, 1, 0], matrix);
  return matrix;
}

function multiply(a: readonly number[], b: readonly number[]): number[] {
  return [a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3], a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3]];
}

/** A signed permutation matrix's inverse is its transpose. */
function inverse(matrix: readonly number[]): number[] {
  return [matrix[0], matrix[2], matrix[1], matrix[3]];
}

/** The matrix of element `index` of a group of `order` elements (flip: flips^index; others: turns^(index mod 4) after flips^(index / 4)). */
function matrixOfIndex(index: number, order: number): number[] {
  return order === 2 ? planeMatrix(0, index) : planeMatrix(index % 4, Math.floor(index / 4));
}

function indexOfMatrix(matrix: readonly number[], order: number): number {
  for (let index = 0; index < order; index++) if (matrixOfIndex(index, order).every((value, i) => value === matrix[i])) return index;
  throw new Error(`no element of the group of order ${order} has the matrix ${matrix.join(" ")}`);
}

/**
 * The regular representation: g moves entry h to entry g*h, so X'[i] = X[g^-1 * i]; entry i of the
 * result reads entry sources[i].
 */
export function regularSources(element: SquareElement): number[] {
  const order = groupOrder(element.symmetry.group)!;
  const inverseOfG = inverse(planeMatrix(element.turns, element.flips));
  return Array.from({ length: order }, (_, i) => indexOfMatrix(multiply(inverseOfG, matrixOfIndex(i, order)), order));
}

/** The plane coordinate of an acted axis: 0 for a, 1 for b (the flipped axis of flip and dihedral). */
function planeCoordinate(axis: ActedAxis): number | undefined {
  return axis.role === "turned-from" ? 0 : axis.role === "turned-to" || axis.role === "reversed" ? 1 : undefined;
}

/**
 * Each plane axis of the result reads its index from the plane axis that A^-1 maps it to
 * (itself for flips and half turns, the other one for odd turns), reversed where A^-1 has -1.
 */
function squareOffsets(element: SquareElement, tensor: ActedTensor, acted: readonly ActedAxis[], shape: readonly number[]): Int32Array[] {
  const offsets = identityOffsets(shape);
  const strides = stridesOf(shape);
  const sourceOf = inverse(planeMatrix(element.turns, element.flips));
  const plane = acted.filter((axis) => planeCoordinate(axis) !== undefined);
  for (const axis of plane) {
    const column = planeCoordinate(axis)!;
    const row = sourceOf[column] !== 0 ? 0 : 1;
    const reversed = sourceOf[2 * row + column] < 0;
    const source = row === column ? axis : onlyAxisAt(plane, row, element, tensor);
    const n = shape[axis.index];
    if (shape[source.index] !== n) throw new Error(`${element.words} needs ${axis.name} and ${source.name} of one size on ${tensor.name}, not ${n} and ${shape[source.index]}`);
    offsets[axis.index] = offsetTable(n, (i) => (reversed ? n - 1 - i : i) * strides[source.index]);
  }
  const regular = acted.filter((axis) => axis.role === "regular");
  if (regular.length > 0) {
    const sources = regularSources(element);
    for (const axis of regular) {
      const n = shape[axis.index];
      if (n !== sources.length) throw new Error(`${axis.name} on ${tensor.name} carries the regular representation of ${element.symmetry.name}, so it has ${sources.length} entries, not ${n}`);
      offsets[axis.index] = offsetTable(sources.length, (i) => sources[i] * strides[axis.index]);
    }
  }
  return offsets;
}

/** The one axis of the tensor at a plane coordinate, where an odd turn moves the other plane axis into it. */
function onlyAxisAt(plane: readonly ActedAxis[], coordinate: number, element: SquareElement, tensor: ActedTensor): ActedAxis {
  const group = element.symmetry.group;
  const names = group.kind === "rotate90" || group.kind === "dihedral" ? group.axes : [];
  const atCoordinate = plane.filter((axis) => planeCoordinate(axis) === coordinate);
  const others = plane.filter((axis) => planeCoordinate(axis) !== coordinate);
  if (atCoordinate.length !== 1 || others.length !== 1) {
    throw new Error(`${element.words} turns ${names.join(" into ")} and back, so ${tensor.name} needs one axis of each, not ${plane.map((axis) => axis.name).join(", ")}`);
  }
  return atCoordinate[0];
}

// ---------------------------------------------------------------------------------------------
// Rotations of vectors, pseudovectors and points

function transformAxis(element: RigidElement, tensor: ActedTensor, x: Dense, axis: ActedAxis): Dense {
  const matrix = element.matrix;
  const size = x.shape[axis.index];
  if (size !== matrix.length) throw new Error(`${element.symmetry.name} rotates ${axis.name} as ${matrix.length} components, but it has ${size} on ${tensor.name}`);
  const sign = axis.kind === "pseudovector" ? Math.sign(determinant(matrix)) : 1;
  const offset = axis.kind === "point" ? element.translation : element.translation.map(() => 0);
  const stride = stridesOf(x.shape)[axis.index];
  const out = new Float64Array(x.data.length);
  for (let index = 0; index < x.data.length; index++) {
    const component = Math.floor(index / stride) % size;
    const base = index - component * stride;
    let value = offset[component];
    for (let j = 0; j < size; j++) value += sign * matrix[component][j] * x.data[base + j * stride];
    out[index] = value;
  }
  return { shape: x.shape, data: out };
}
