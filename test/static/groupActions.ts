/**
 * The group actions of the spec language (/work/shared/spec/dsl.md), written out on dense
 * tensors for the soundness cross-check: independent of the static analysis' own reading of
 * them (groups.ts, the rules), so that a `proved` is held against what a user's claim means.
 * - translate: cyclic shifts, x'[i] = x[i - t mod n], by multiples of the step;
 * - flip: x'[i] = x[n-1-i];
 * - rotate90(a, b): numpy.rot90(x, 1, axes=(a, b)), x'[i, j] = x[j, n-1-i];
 * - dihedral(a, b): element k + 4m is (quarter turn)^k after (flip of b)^m;
 * - regular axes: g moves entry h to entry g*h, X'[g*h] = X[h];
 * - permute: the same permutation of every axis of that name;
 * - SO/O/SE/E: rotations (and reflections) of vectors, det(R) R for pseudovectors, R p + t for
 *   points when the group translates;
 * - negate, scale: the listed tensors times -1 or s > 0.
 */
import { randomFloats } from "../support/onnxBuilder";

/** A dense row-major tensor of float64 values. */
export interface Dense {
  shape: readonly number[];
  data: Float64Array;
}

export interface DeclaredAxis {
  /** The axis name as declared; `_` for an axis no group acts on. */
  name: string;
  kind?: "vector" | "pseudovector" | "point";
  /** For an axis declared `NAME: SYMMETRY`: the finite symmetry whose regular representation it carries. */
  regularOf?: string;
}

export interface DeclaredTensor {
  name: string;
  /** The concrete shape the numeric check runs with. */
  shape: readonly number[];
  axes: readonly DeclaredAxis[];
}

export type GroupSpec =
  | { kind: "translate"; axes: string[]; step: number }
  | { kind: "flip"; axis: string }
  | { kind: "rotate90"; axes: [string, string] }
  | { kind: "dihedral"; axes: [string, string] }
  | { kind: "permute"; axis: string }
  | { kind: "rotation"; constructor: "SO" | "O" | "SE" | "E"; axis: string }
  | { kind: "negate"; tensors: string[] }
  | { kind: "scale"; tensors: string[] };

export interface Symmetry {
  name: string;
  group: GroupSpec;
}

/** One group element: how it acts on a declared tensor, and what it is in words. */
export interface Element {
  words: string;
  act(tensor: DeclaredTensor, x: Dense): Dense;
}

/** The symmetry as a spec writes it: `translate(y, x, step=2)`. */
export function constructorText(group: GroupSpec): string {
  switch (group.kind) {
    case "translate":
      return `translate(${[...group.axes, ...(group.step > 1 ? [`step=${group.step}`] : [])].join(", ")})`;
    case "flip":
      return `flip(${group.axis})`;
    case "rotate90":
    case "dihedral":
      return `${group.kind}(${group.axes.join(", ")})`;
    case "permute":
      return `permute(${group.axis})`;
    case "rotation":
      return `${group.constructor}(${group.axis})`;
    case "negate":
    case "scale":
      return `${group.kind}(${group.tensors.join(", ")})`;
  }
}

/** The order of a finite group with a regular representation (flip, rotate90, dihedral). */
export function finiteOrder(group: GroupSpec): number | undefined {
  return group.kind === "flip" ? 2 : group.kind === "rotate90" ? 4 : group.kind === "dihedral" ? 8 : undefined;
}

/**
 * The elements to try: every non-identity element of a finite group; for the others a few,
 * drawn with `random` (shifts by multiples of the step, permutations, rotations built in float64,
 * positive scales). `sizes` gives each axis name's size.
 */
export function elementsOf(symmetry: Symmetry, sizes: ReadonlyMap<string, number>, random: () => number): Element[] {
  const group = symmetry.group;
  switch (group.kind) {
    case "translate":
      return shiftElements(symmetry.name, group, sizes, random);
    case "flip":
      return [dihedralElement(symmetry.name, undefined, group.axis, 0, 1)];
    case "rotate90":
      return [1, 2, 3].map((k) => dihedralElement(symmetry.name, group.axes[0], group.axes[1], k, 0, 4));
    case "dihedral":
      return [1, 2, 3, 4, 5, 6, 7].map((e) => dihedralElement(symmetry.name, group.axes[0], group.axes[1], e % 4, Math.floor(e / 4), 8));
    case "permute":
      return permutationElements(group.axis, sizes.get(group.axis)!, random);
    case "rotation":
      return rotationElements(group, sizes.get(group.axis)!, random);
    case "negate":
      return [valueElement("negate", group.tensors, -1)];
    case "scale":
      return [0.5, 1 + 2 * random(), 0.1 + 0.8 * random()].map((s) => valueElement(`scale by ${s.toFixed(3)}`, group.tensors, s));
  }
}

// ---------------------------------------------------------------------------------------------
// Moving entries

/** x' with x'[p] = x[source(p)] for every position p. */
function moveEntries(x: Dense, source: (position: number[]) => number[]): Dense {
  const strides = stridesOf(x.shape);
  const out = new Float64Array(x.data.length);
  const position = x.shape.map(() => 0);
  for (let offset = 0; offset < out.length; offset++) {
    let rest = offset;
    for (let axis = 0; axis < x.shape.length; axis++) {
      position[axis] = Math.floor(rest / strides[axis]);
      rest -= position[axis] * strides[axis];
    }
    const from = source([...position]);
    let index = 0;
    for (let axis = 0; axis < from.length; axis++) index += from[axis] * strides[axis];
    out[offset] = x.data[index];
  }
  return { shape: x.shape, data: out };
}

export function stridesOf(shape: readonly number[]): number[] {
  const strides = shape.map(() => 1);
  for (let axis = shape.length - 2; axis >= 0; axis--) strides[axis] = strides[axis + 1] * shape[axis + 1];
  return strides;
}

function axesNamed(tensor: DeclaredTensor, name: string): number[] {
  return tensor.axes.flatMap((axis, index) => (axis.name === name && axis.regularOf === undefined ? [index] : []));
}

function regularAxes(tensor: DeclaredTensor, symmetry: string): number[] {
  return tensor.axes.flatMap((axis, index) => (axis.regularOf === symmetry ? [index] : []));
}

function shiftElements(symmetry: string, group: Extract<GroupSpec, { kind: "translate" }>, sizes: ReadonlyMap<string, number>, random: () => number): Element[] {
  // A shift by one step along each axis alone, then two random multiples of the step on all of them.
  const single = group.axes.map((name) => new Map([[name, group.step % sizes.get(name)!]]));
  const drawn = [0, 1].map(() => new Map(group.axes.map((name) => [name, (group.step * Math.floor(random() * sizes.get(name)!)) % sizes.get(name)!])));
  return [...single, ...drawn].map((shifts) => ({
    words: `${symmetry}: shift ${[...shifts].map(([name, t]) => `${name}=+${t}`).join(" ")}`,
    act: (tensor, x) => {
      const moved = [...shifts].flatMap(([name, t]) => axesNamed(tensor, name).map((axis) => [axis, t] as const));
      return moved.length === 0 ? x : moveEntries(x, (p) => {
        for (const [axis, t] of moved) p[axis] = (p[axis] - t + 2 * x.shape[axis]) % x.shape[axis];
        return p;
      });
    },
  }));
}

/**
 * The element (quarter turn of (a, b))^k after (flip of b)^m, of a group of `order` elements
 * (flip: a undefined, order 2). Its matrix on the centred (a, b) plane indexes the regular axes.
 */
function dihedralElement(symmetry: string, a: string | undefined, b: string, k: number, m: number, order = 2): Element {
  const words = `${symmetry}: ${k > 0 ? `turn x${k}` : ""}${k > 0 && m > 0 ? " after " : ""}${m > 0 ? `flip ${b}` : ""}`;
  return {
    words,
    act: (tensor, x) => {
      let y = x;
      const bAxes = axesNamed(tensor, b);
      const aAxes = a === undefined ? [] : axesNamed(tensor, a);
      if (m === 1) for (const axis of bAxes) y = moveEntries(y, (p) => ((p[axis] = y.shape[axis] - 1 - p[axis]), p));
      if (k > 0) {
        if (aAxes.length !== 1 || bAxes.length !== 1) {
          if (aAxes.length + bAxes.length > 0) throw new Error(`${tensor.name} has not exactly one of each plane axis (${a}, ${b})`);
        } else {
          const [pa, pb] = [aAxes[0], bAxes[0]];
          for (let turn = 0; turn < k; turn++) {
            const source = y;
            // numpy.rot90 turning a towards b: x'[i, j] = x[j, n-1-i].
            y = moveEntries(source, (p) => {
              const [i, j] = [p[pa], p[pb]];
              p[pa] = j;
              p[pb] = source.shape[pb] - 1 - i;
              return p;
            });
          }
        }
      }
      for (const axis of regularAxes(tensor, symmetry)) {
        const element = indexOfMatrix(planeMatrix(k, m), order);
        const inverse = inverseIndex(element, order);
        // X'[g*h] = X[h], so X'[i] = X[g^-1 * i].
        const source = y;
        y = moveEntries(source, (p) => ((p[axis] = productIndex(inverse, p[axis], order)), p));
      }
      return y;
    },
  };
}

/**
 * The element turn^k after flip^m as a 2x2 integer matrix on centred plane coordinates (u, v):
 * (g.x)(p) = x(A^-1 p). A turn reads x'(u, v) = x(v, -u), so A_turn = [[0, -1], [1, 0]]; the flip
 * of b reads x(u, -v), A_flip = diag(1, -1); and (g h) has the matrix A_g A_h.
 */
function planeMatrix(k: number, m: number): number[] {
  let matrix = m === 1 ? [1, 0, 0, -1] : [1, 0, 0, 1];
  for (let turn = 0; turn < k; turn++) matrix = multiply([0, -1, 1, 0], matrix);
  return matrix;
}

function multiply(a: readonly number[], b: readonly number[]): number[] {
  return [a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3], a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3]];
}

/** Element index -> matrix: flip's elements are flip^m (index m), the others turn^k flip^m (index k + 4m). */
function matrixOfIndex(index: number, order: number): number[] {
  return order === 2 ? planeMatrix(0, index) : planeMatrix(index % 4, Math.floor(index / 4));
}

function indexOfMatrix(matrix: readonly number[], order: number): number {
  const index = Array.from({ length: order }, (_, i) => i).find((i) => matrixOfIndex(i, order).every((v, j) => v === matrix[j]));
  if (index === undefined) throw new Error(`no element of the group of order ${order} has the matrix ${matrix.join(" ")}`);
  return index;
}

function productIndex(g: number, h: number, order: number): number {
  return indexOfMatrix(multiply(matrixOfIndex(g, order), matrixOfIndex(h, order)), order);
}

function inverseIndex(g: number, order: number): number {
  return Array.from({ length: order }, (_, i) => i).find((i) => productIndex(g, i, order) === 0)!;
}

/** A swap of the first two entries, a cycle, and a random permutation: x'[i] = x[perm[i]] on every axis of the name. */
function permutationElements(name: string, size: number, random: () => number): Element[] {
  const swap = Array.from({ length: size }, (_, i) => (size < 2 ? i : i === 0 ? 1 : i === 1 ? 0 : i));
  const cycle = Array.from({ length: size }, (_, i) => (i + 1) % size);
  const shuffled = Array.from({ length: size }, (_, i) => i);
  for (let i = size - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  return [swap, cycle, shuffled].map((perm) => ({
    words: `permute ${name} (${perm.join(" ")})`,
    act: (tensor, x) => {
      const axes = axesNamed(tensor, name);
      return axes.length === 0 ? x : moveEntries(x, (p) => {
        for (const axis of axes) p[axis] = perm[p[axis]];
        return p;
      });
    },
  }));
}

// ---------------------------------------------------------------------------------------------
// Rotations and values

/** A proper rotation, an improper one when the group has reflections, and a random one; with translations for SE and E. */
function rotationElements(group: Extract<GroupSpec, { kind: "rotation" }>, size: number, random: () => number): Element[] {
  const reflections = group.constructor === "O" || group.constructor === "E";
  const translations = group.constructor === "SE" || group.constructor === "E";
  const elements: { matrix: number[][]; t: number[] }[] = [];
  for (let i = 0; i < 3; i++) {
    const reflect = reflections && (i === 1 || (i === 2 && random() < 0.5));
    const proper = size === 3 ? rotation3(random) : rotation2(random);
    // An improper element: a proper rotation after the reflection of the first component.
    const matrix = reflect ? proper.map((row) => row.map((value, j) => (j === 0 ? -value : value))) : proper;
    elements.push({ matrix, t: translations ? randomFloats(size, random, 2) : new Array<number>(size).fill(0) });
  }
  return elements.map(({ matrix, t }) => ({
    words: `${group.constructor}(${group.axis}): R = [${matrix.map((row) => row.map((v) => v.toFixed(3)).join(" ")).join("; ")}]${translations ? `, t = (${t.map((v) => v.toFixed(2)).join(" ")})` : ""}`,
    act: (tensor, x) => rotateAxis(tensor, x, group.axis, matrix, t, translations),
  }));
}

/** A uniformly random rotation of 3-space, from a random unit quaternion. */
function rotation3(random: () => number): number[][] {
  const [u1, u2, u3] = [random(), random(), random()];
  const [a, b, c, d] = [Math.sqrt(1 - u1) * Math.sin(2 * Math.PI * u2), Math.sqrt(1 - u1) * Math.cos(2 * Math.PI * u2), Math.sqrt(u1) * Math.sin(2 * Math.PI * u3), Math.sqrt(u1) * Math.cos(2 * Math.PI * u3)];
  return [
    [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
    [2 * (b * c + a * d), a * a - b * b + c * c - d * d, 2 * (c * d - a * b)],
    [2 * (b * d - a * c), 2 * (c * d + a * b), a * a - b * b - c * c + d * d],
  ];
}

function rotation2(random: () => number): number[][] {
  const angle = 2 * Math.PI * random();
  return [
    [Math.cos(angle), -Math.sin(angle)],
    [Math.sin(angle), Math.cos(angle)],
  ];
}

function determinant(matrix: readonly (readonly number[])[]): number {
  if (matrix.length === 2) return matrix[0][0] * matrix[1][1] - matrix[0][1] * matrix[1][0];
  const [[a, b, c], [d, e, f], [g, h, i]] = matrix;
  return a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
}

/** R v along every axis of the name (each one in turn, as a tensor product), by its kind: det(R) R v for pseudovectors, R p + t for points of groups that translate. */
function rotateAxis(tensor: DeclaredTensor, x: Dense, name: string, matrix: number[][], t: number[], translations: boolean): Dense {
  return axesNamed(tensor, name).reduce((y, axis) => rotateOneAxis(tensor, y, axis, matrix, t, translations), x);
}

function rotateOneAxis(tensor: DeclaredTensor, x: Dense, axis: number, matrix: number[][], t: number[], translations: boolean): Dense {
  const kind = tensor.axes[axis].kind ?? "vector";
  const sign = kind === "pseudovector" ? Math.sign(determinant(matrix)) : 1;
  const offset = kind === "point" && translations ? t : t.map(() => 0);
  const strides = stridesOf(x.shape);
  const size = x.shape[axis];
  const out = new Float64Array(x.data.length);
  for (let offsetIndex = 0; offsetIndex < x.data.length; offsetIndex++) {
    const component = Math.floor(offsetIndex / strides[axis]) % size;
    const base = offsetIndex - component * strides[axis];
    let value = offset[component];
    for (let j = 0; j < size; j++) value += sign * matrix[component][j] * x.data[base + j * strides[axis]];
    out[offsetIndex] = value;
  }
  return { shape: x.shape, data: out };
}

function valueElement(words: string, tensors: readonly string[], factor: number): Element {
  return {
    words,
    act: (tensor, x) => (tensors.includes(tensor.name) ? { shape: x.shape, data: x.data.map((value) => value * factor) } : x),
  };
}
