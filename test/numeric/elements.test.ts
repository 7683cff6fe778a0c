/**
 * The group elements a numeric check tries: which ones for each constructor, their words, and that
 * the same seed gives the same ones.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ActingSymmetry } from "../../server/src/binding/actions";
import type { Group } from "../../server/src/binding/bound";
import { sampleElement, type GroupElement, type PermutationElement, type RigidElement, type ShiftElement, type ValueElement } from "../../server/src/symmetry/numeric/elements";
import { seededRandom, streamSeed } from "../../server/src/symmetry/numeric/random";
import { determinant } from "../../server/src/symmetry/numeric/rotations";

const symmetry = (group: Group, name = "s"): ActingSymmetry => ({ name, group });

/** The elements of samples 0 to count - 1, each drawn from its own seeded stream, as the check draws them. */
function samples(group: Group, sizes: Record<string, number>, count: number, seed = 0): GroupElement[] {
  return Array.from({ length: count }, (_, s) => sampleElement(symmetry(group), new Map(Object.entries(sizes)), s, seededRandom(streamSeed(seed, "element", "s", s))));
}

const rotation = (constructor: "SO" | "O" | "SE" | "E", axis = "xyz"): Group => ({
  kind: "rotation",
  constructor,
  axis,
  reflections: constructor === "O" || constructor === "E",
  translations: constructor === "SE" || constructor === "E",
});

function transposeTimes(matrix: readonly (readonly number[])[]): number[][] {
  return matrix.map((_, i) => matrix.map((__, j) => matrix.reduce((sum, row) => sum + row[i] * row[j], 0)));
}

function assertOrthogonal(matrix: readonly (readonly number[])[]): void {
  transposeTimes(matrix).forEach((row, i) => row.forEach((value, j) => assert.ok(Math.abs(value - (i === j ? 1 : 0)) < 1e-12, `R^T R [${i}][${j}] = ${value}`)));
}

describe("translate", () => {
  test("a step along each axis alone first, then random multiples of the step: signed, never the identity", () => {
    const elements = samples({ kind: "translate", axes: ["y", "x"], step: 2, margin: 0 }, { y: 8, x: 6 }, 60) as ShiftElement[];
    assert.deepEqual([...elements[0].shifts], [["y", 2], ["x", 0]]);
    assert.equal(elements[0].words, "shift y=+2");
    assert.deepEqual([...elements[1].shifts], [["y", 0], ["x", 2]]);
    assert.equal(elements[1].words, "shift x=+2");
    for (const element of elements.slice(2)) {
      const [y, x] = [element.shifts.get("y")!, element.shifts.get("x")!];
      assert.ok(y % 2 === 0 && x % 2 === 0, element.words);
      assert.ok(y > -4 && y <= 4 && x > -3 && x <= 3, `the shift of least size: ${element.words}`);
      assert.ok(y !== 0 || x !== 0, "not the identity");
      assert.match(element.words, /^shift( [yx]=[+-]\d+)+$/);
    }
    const words = new Set(elements.slice(2).map((element) => element.words));
    assert.ok(words.has("shift y=-2 x=+2") || words.has("shift y=+4 x=-2"), `negative shifts are written with their sign: ${[...words].join(", ")}`);
  });

  test("a step as large as the axis moves nothing, and says so", () => {
    const [element] = samples({ kind: "translate", axes: ["x"], step: 4, margin: 0 }, { x: 4 }, 1) as ShiftElement[];
    assert.equal(element.words, "shift x=+0");
  });
});

describe("finite groups are cycled through", () => {
  test("flip: its one non-identity element every time", () => {
    assert.deepEqual(samples({ kind: "flip", axis: "x" }, {}, 3).map((element) => element.words), ["flip x", "flip x", "flip x"]);
  });

  test("rotate90: one, two and three quarter turns, then again", () => {
    assert.deepEqual(samples({ kind: "rotate90", axes: ["y", "x"] }, {}, 5).map((element) => element.words), ["rotate90 x1", "rotate90 x2", "rotate90 x3", "rotate90 x1", "rotate90 x2"]);
  });

  test("dihedral: its seven non-identity elements in eight samples", () => {
    const words = samples({ kind: "dihedral", axes: ["y", "x"] }, {}, 8).map((element) => element.words);
    assert.deepEqual(words, ["rotate90 x1", "rotate90 x2", "rotate90 x3", "flip x", "rotate90 x1 after flip x", "rotate90 x2 after flip x", "rotate90 x3 after flip x", "rotate90 x1"]);
  });
});

describe("permute", () => {
  test("a transposition and a cycle (which generate every permutation), then random permutations", () => {
    const elements = samples({ kind: "permute", axis: "node" }, { node: 5 }, 30) as PermutationElement[];
    assert.deepEqual([...elements[0].permutation], [1, 0, 2, 3, 4]);
    assert.equal(elements[0].words, "permute node (1 0 2 3 4)");
    assert.deepEqual([...elements[1].permutation], [1, 2, 3, 4, 0]);
    for (const element of elements.slice(2)) {
      assert.deepEqual([...element.permutation].sort(), [0, 1, 2, 3, 4], element.words);
      assert.ok(element.permutation.some((value, i) => value !== i), "not the identity");
    }
    assert.ok(new Set(elements.map((element) => element.words)).size > 10, "random permutations differ");
  });

  test("a long permutation is cut short in words", () => {
    const [, cycle] = samples({ kind: "permute", axis: "atom" }, { atom: 12 }, 2);
    assert.equal(cycle.words, "permute atom (1 2 3 4 5 6 7 8 ...)");
  });
});

describe("rotations", () => {
  test("SO(3): orthogonal with det +1, no translation, words with the angle and axis that the matrix has", () => {
    for (const element of samples(rotation("SO"), { xyz: 3 }, 20) as RigidElement[]) {
      assertOrthogonal(element.matrix);
      assert.ok(Math.abs(determinant(element.matrix) - 1) < 1e-12);
      assert.deepEqual(element.translation, [0, 0, 0]);
      const match = /^rotation xyz by (\d+\.\d)° about \((\S+) (\S+) (\S+)\)$/.exec(element.words);
      assert.ok(match, element.words);
      const trace = element.matrix[0][0] + element.matrix[1][1] + element.matrix[2][2];
      assert.ok(Math.abs(Math.cos((Number(match[1]) * Math.PI) / 180) - (trace - 1) / 2) < 2e-3, `${element.words}: trace ${trace}`);
      // R fixes its axis.
      const axis = match.slice(2, 5).map(Number);
      element.matrix.forEach((row, i) => assert.ok(Math.abs(row.reduce((sum, value, j) => sum + value * axis[j], 0) - axis[i]) < 0.02, element.words));
    }
  });

  test("O(3) and E(3): both signs of the determinant, alternately; E translates", () => {
    const o = samples(rotation("O"), { xyz: 3 }, 6) as RigidElement[];
    assert.deepEqual(o.map((element) => Math.round(determinant(element.matrix))), [-1, 1, -1, 1, -1, 1]);
    o.forEach((element) => assertOrthogonal(element.matrix));
    assert.match(o[0].words, /^rotation xyz by \S+ about \(.*\) with inversion$/);
    const e = samples(rotation("E"), { xyz: 3 }, 2) as RigidElement[];
    assert.ok(e.every((element) => element.translation.some((value) => value !== 0)));
    assert.match(e[1].words, /^rotation xyz by .*, translation \(\S+ \S+ \S+\)$/);
  });

  test("2-D: rotations by an angle, reflections across a line", () => {
    const elements = samples(rotation("O", "xy"), { xy: 2 }, 4) as RigidElement[];
    elements.forEach((element) => assertOrthogonal(element.matrix));
    assert.match(elements[0].words, /^reflection xy across the line at \d+\.\d°$/);
    assert.match(elements[1].words, /^rotation xy by \d+\.\d°$/);
    assert.equal(Math.round(determinant(elements[0].matrix)), -1);
  });

  test("uniform (Haar): the mean rotation is zero", () => {
    for (const size of [2, 3]) {
      const elements = samples(rotation("SO", "v"), { v: size }, 3000) as RigidElement[];
      for (let i = 0; i < size; i++) {
        for (let j = 0; j < size; j++) {
          const mean = elements.reduce((sum, element) => sum + element.matrix[i][j], 0) / elements.length;
          assert.ok(Math.abs(mean) < 0.05, `mean R[${i}][${j}] of ${size}-D rotations is ${mean}`);
        }
      }
    }
  });

  test("an axis that is not 2 or 3 long cannot be rotated", () => {
    assert.throws(() => samples(rotation("SO", "v"), { v: 4 }, 1), /SO\(v\) rotates vectors of 2 or 3 components, and v has 4/);
  });
});

describe("value groups", () => {
  test("negate", () => {
    const [element] = samples({ kind: "negate", tensors: ["audio"] }, {}, 1) as ValueElement[];
    assert.deepEqual([element.words, element.factor], ["negate", -1]);
  });

  test("scale: positive factors, alternately above and below 1, written to three decimals", () => {
    const elements = samples({ kind: "scale", tensors: ["x"] }, {}, 8) as ValueElement[];
    elements.forEach((element, s) => {
      assert.ok(s % 2 === 0 ? element.factor > 1.4 : element.factor < 0.71, `sample ${s}: ${element.factor}`);
      assert.equal(element.words, `scale by ${element.factor.toFixed(3)}`);
    });
  });
});

describe("seeds", () => {
  test("the same seed gives the same elements; another seed others", () => {
    const words = (seed: number) => samples({ kind: "permute", axis: "node" }, { node: 9 }, 8, seed).map((element) => element.words);
    assert.deepEqual(words(3), words(3));
    assert.notDeepEqual(words(3), words(4));
  });

  test("a missing size is an error that says how to give one", () => {
    assert.throws(() => samples({ kind: "permute", axis: "node" }, {}, 1), /the size of node is not known: add `size node = N` to the check block/);
  });
});
