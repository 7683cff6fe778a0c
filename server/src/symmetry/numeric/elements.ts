/**
 * Group elements, drawn for each sample of a numeric check, with their words for reports
 * (`shift y=+3 x=-5`, `rotate90 x2`, `flip x`, `permute node (3 0 1 2 ...)`, `negate`,
 * `scale by 1.732`). How an element moves a tensor is actions.ts.
 *
 * Which elements: the small finite groups (flip, rotate90, dihedral) are cycled through, so that
 * every non-identity element is tried once `samples` allows. The first samples of the other groups
 * are their generators where the group has few (a one-step shift along each axis; a transposition
 * and a cycle, which generate every permutation): a claim that fails anywhere fails at a generator.
 * The later samples are random: multiples of the step, permutations, uniformly random rotations
 * and reflections, translations of points, positive scales.
 */
import type { ActingSymmetry } from "../../binding/actions";
import type { Group } from "../../binding/bound";
import { groupOrder } from "../static/groups";
import { randomOrthogonal } from "./rotations";

interface ElementBase {
  /** The symmetry the element belongs to (axis groups act on axes of its names, regular axes name it). */
  symmetry: ActingSymmetry;
  words: string;
}

/** Cyclic shifts: the shift along each axis name (signed, the smallest in size of its equivalents). */
export interface ShiftElement extends ElementBase {
  kind: "shift";
  shifts: ReadonlyMap<string, number>;
}

/**
 * An element of flip, rotate90 or dihedral: `turns` quarter turns of the (a, b) plane after
 * `flips` flips of b (of the one axis, for flip). Its index in the regular representation is
 * turns + 4 * flips (flip: flips; rotate90: turns).
 */
export interface SquareElement extends ElementBase {
  kind: "square";
  turns: number;
  flips: number;
}

/**
 * x'[i] = x[permutation[i]] along every axis of the name. An Int32Array: a job takes one per sample
 * to the runner's process, and 16 arrays of numbers took 2 times as long to copy there (128
 * entries each; 6 times, 1,000 entries).
 */
export interface PermutationElement extends ElementBase {
  kind: "permutation";
  permutation: Int32Array;
}

/** v -> R v (det(R) R v for pseudovectors, R p + t for points). */
export interface RigidElement extends ElementBase {
  kind: "rigid";
  matrix: readonly (readonly number[])[];
  /** All zeros where the group does not translate. */
  translation: readonly number[];
}

/** x -> factor * x on the tensors the group lists. */
export interface ValueElement extends ElementBase {
  kind: "value";
  factor: number;
}

export type GroupElement = ShiftElement | SquareElement | PermutationElement | RigidElement | ValueElement;

/** Entries of a permutation shown in words before `...`. */
const PERMUTATION_ENTRIES_SHOWN = 8;
/** Translations of points are drawn uniformly from [-TRANSLATION, TRANSLATION) per component: the scale of normal(0, 1) inputs. */
const TRANSLATION = 2;

/**
 * The element tried at sample `sample` (0, 1, ...). `sizes` gives the size of each axis the group
 * acts on; `random` draws the random ones (the caller seeds it per sample, so that one sample's
 * element does not depend on the others). Throws when a size it needs is missing.
 */
export function sampleElement(symmetry: ActingSymmetry, sizes: ReadonlyMap<string, number>, sample: number, random: () => number): GroupElement {
  const group = symmetry.group;
  switch (group.kind) {
    case "translate":
      return shiftElement(symmetry, group, sizes, sample, random);
    case "flip":
    case "rotate90":
    case "dihedral": {
      const order = groupOrder(group)!;
      return finiteElement(symmetry, 1 + (sample % (order - 1)));
    }
    case "permute":
      return permutationElement(symmetry, group.axis, sizeOf(sizes, group.axis), sample, random);
    case "rotation":
      return rigidElement(symmetry, group, sizeOf(sizes, group.axis), sample, random);
    case "negate":
      return { kind: "value", symmetry, words: "negate", factor: -1 };
    case "scale": {
      // Alternately above and below 1, by a factor between sqrt(2) and 2 sqrt(2).
      const factor = 2 ** ((sample % 2 === 0 ? 1 : -1) * (0.5 + random()));
      return { kind: "value", symmetry, words: `scale by ${factor.toFixed(3)}`, factor };
    }
  }
}

/** Element `index` of flip (0 to 1), rotate90 (0 to 3) or dihedral (0 to 7): index 0 is the identity. */
export function finiteElement(symmetry: ActingSymmetry, index: number): SquareElement {
  const group = symmetry.group;
  const [turns, flips] = group.kind === "flip" ? [0, index] : [index % 4, Math.floor(index / 4)];
  return { kind: "square", symmetry, words: squareWords(group, turns, flips), turns, flips };
}

function squareWords(group: Group, turns: number, flips: number): string {
  if (group.kind === "flip") return flips ? `flip ${group.axis}` : "identity";
  if (group.kind !== "rotate90" && group.kind !== "dihedral") throw new Error(`${group.kind} is not a finite group of turns and flips`);
  const turn = turns ? `rotate90 x${turns}` : "";
  const flip = flips ? `flip ${group.axes[1]}` : "";
  return [turn, flip].filter(Boolean).join(" after ") || "identity";
}

function sizeOf(sizes: ReadonlyMap<string, number>, axis: string): number {
  const size = sizes.get(axis);
  if (size === undefined) throw new Error(`the size of ${axis} is not known: add \`size ${axis} = N\` to the check block`);
  return size;
}

/** t mod n as the shift of least size: -n/2 < t <= n/2. */
function signedShift(t: number, n: number): number {
  const wrapped = ((t % n) + n) % n;
  return wrapped > n / 2 ? wrapped - n : wrapped;
}

function shiftElement(symmetry: ActingSymmetry, group: Extract<Group, { kind: "translate" }>, sizes: ReadonlyMap<string, number>, sample: number, random: () => number): ShiftElement {
  const oneStep = (name: string) => signedShift(group.step, sizeOf(sizes, name));
  let shifts: Map<string, number>;
  if (sample < group.axes.length) {
    shifts = new Map(group.axes.map((name, i) => [name, i === sample ? oneStep(name) : 0]));
  } else {
    shifts = new Map(group.axes.map((name) => [name, signedShift(group.step * Math.floor(random() * sizeOf(sizes, name)), sizeOf(sizes, name))]));
    // The identity tells nothing: a step along one axis instead.
    const along = group.axes[sample % group.axes.length];
    if ([...shifts.values()].every((t) => t === 0)) shifts.set(along, oneStep(along));
  }
  const moved = [...shifts].filter(([, t]) => t !== 0);
  const words = `shift ${(moved.length ? moved : [...shifts]).map(([name, t]) => `${name}=${t < 0 ? "" : "+"}${t}`).join(" ")}`;
  return { kind: "shift", symmetry, words, shifts };
}

function permutationElement(symmetry: ActingSymmetry, axis: string, size: number, sample: number, random: () => number): PermutationElement {
  const permutation = new Int32Array(size);
  for (let i = 0; i < size; i++) permutation[i] = sample === 1 ? (i + 1) % size : i;
  if (sample >= 2) {
    for (let i = size - 1; i > 0; i--) swap(permutation, i, Math.floor(random() * (i + 1)));
  }
  // Sample 0, and a random draw of the identity, give the transposition of the first two.
  if (sample !== 1 && size >= 2 && permutation.every((value, i) => value === i)) swap(permutation, 0, 1);
  const shown = Array.from(permutation.subarray(0, PERMUTATION_ENTRIES_SHOWN)).join(" ");
  return { kind: "permutation", symmetry, words: `permute ${axis} (${shown}${size > PERMUTATION_ENTRIES_SHOWN ? " ..." : ""})`, permutation };
}

function swap(values: Int32Array, i: number, j: number): void {
  const kept = values[i];
  values[i] = values[j];
  values[j] = kept;
}

/** Groups with reflections alternate improper (even samples) and proper elements, so that two samples try both halves. */
function rigidElement(symmetry: ActingSymmetry, group: Extract<Group, { kind: "rotation" }>, size: number, sample: number, random: () => number): RigidElement {
  if (size !== 2 && size !== 3) throw new Error(`${group.constructor}(${group.axis}) rotates vectors of 2 or 3 components, and ${group.axis} has ${size}`);
  const { matrix, words } = randomOrthogonal(size, group.reflections && sample % 2 === 0, group.axis, random);
  const translation = Array.from({ length: size }, () => (group.translations ? TRANSLATION * (2 * random() - 1) : 0));
  const translated = group.translations ? `, translation (${translation.map((value) => value.toFixed(2)).join(" ")})` : "";
  return { kind: "rigid", symmetry, words: words + translated, matrix, translation };
}
