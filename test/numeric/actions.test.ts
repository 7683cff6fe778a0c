/**
 * Group elements acting on declared tensors, against small cases computed by hand: each
 * constructor, each axis kind, joint actions on several tensors, an axis named twice, the regular
 * representations (checked against the static analysis' own reading of them too).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ActedTensor, ActingSymmetry } from "../../server/src/binding/actions";
import type { AxisKind, BoundSymmetry, Group } from "../../server/src/binding/bound";
import { actOn, regularSources } from "../../server/src/symmetry/numeric/actions";
import type { Dense } from "../../server/src/symmetry/numeric/dense";
import { finiteElement, type GroupElement, type RigidElement } from "../../server/src/symmetry/numeric/elements";
import { analysisGroup, regularPerms } from "../../server/src/symmetry/static/groups";

/** A declared tensor: `y x` or `orient:regular:s`, `xyz:point`. */
function tensor(name: string, axes: string): ActedTensor {
  return {
    name,
    axes: axes.split(" ").map((text) => {
      const [axisName, kind = "plain", regularOf] = text.split(":");
      return regularOf ? { name: axisName, kind: kind as AxisKind, regularOf } : { name: axisName, kind: kind as AxisKind };
    }),
  };
}

function dense(shape: number[], values?: number[]): Dense {
  const count = shape.reduce((a, b) => a * b, 1);
  return { shape, data: Float64Array.from(values ?? Array.from({ length: count }, (_, i) => i)) };
}

/** The values as nested rows, for readable expectations. */
function rows(x: Dense): number[] | number[][] {
  const values = Array.from(x.data, (value) => Math.round(value * 1e9) / 1e9 + 0);
  if (x.shape.length === 1) return values;
  const width = x.shape[x.shape.length - 1];
  return Array.from({ length: values.length / width }, (_, i) => values.slice(i * width, (i + 1) * width));
}

const symmetry = (group: Group, name = "s"): ActingSymmetry => ({ name, group });
const shift = (shifts: Record<string, number>, axes = Object.keys(shifts), margin = 0): GroupElement => ({
  kind: "shift",
  symmetry: symmetry({ kind: "translate", axes, step: 1, margin }),
  words: "",
  shifts: new Map(Object.entries(shifts)),
});

// 0 1 2
// 3 4 5
// 6 7 8
const square = dense([3, 3]);
const image = tensor("image", "y x");

describe("moving entries", () => {
  test("translate: x'[i] = x[i - t mod n], jointly on every tensor with the axis", () => {
    assert.deepEqual(rows(actOn(shift({ y: 1 }), image, square)), [[6, 7, 8], [0, 1, 2], [3, 4, 5]]);
    assert.deepEqual(rows(actOn(shift({ y: 1, x: -1 }), image, square)), [[7, 8, 6], [1, 2, 0], [4, 5, 3]]);
    // The same shift of y on a mask [y] and on a tensor without y.
    assert.deepEqual(rows(actOn(shift({ y: 1 }), tensor("mask", "y"), dense([3]))), [2, 0, 1]);
    assert.deepEqual(rows(actOn(shift({ y: 1 }), tensor("logits", "batch class"), square)), rows(square));
  });

  test("flip: x'[i] = x[n-1-i]", () => {
    const flipX = finiteElement(symmetry({ kind: "flip", axis: "x" }), 1);
    assert.deepEqual(rows(actOn(flipX, image, square)), [[2, 1, 0], [5, 4, 3], [8, 7, 6]]);
  });

  test("rotate90(y, x): numpy.rot90(m, k, axes=(y, x)); rotate90(x, y) turns the other way", () => {
    const turn = (k: number, axes: [string, string]) => finiteElement(symmetry({ kind: "rotate90", axes }), k);
    assert.deepEqual(rows(actOn(turn(1, ["y", "x"]), image, square)), [[2, 5, 8], [1, 4, 7], [0, 3, 6]]);
    assert.deepEqual(rows(actOn(turn(2, ["y", "x"]), image, square)), [[8, 7, 6], [5, 4, 3], [2, 1, 0]]);
    assert.deepEqual(rows(actOn(turn(3, ["y", "x"]), image, square)), [[6, 3, 0], [7, 4, 1], [8, 5, 2]]);
    assert.deepEqual(rows(actOn(turn(1, ["x", "y"]), image, square)), [[6, 3, 0], [7, 4, 1], [8, 5, 2]]);
  });

  test("dihedral(y, x): element k + 4m is k quarter turns after m flips of x", () => {
    const element = finiteElement(symmetry({ kind: "dihedral", axes: ["y", "x"] }), 5);
    assert.equal(element.words, "rotate90 x1 after flip x");
    // flip x: [[2,1,0],[5,4,3],[8,7,6]], then a quarter turn: the transpose.
    assert.deepEqual(rows(actOn(element, image, square)), [[0, 3, 6], [1, 4, 7], [2, 5, 8]]);
  });

  test("turns act on the plane's axes wherever they are in the tensor", () => {
    const features = tensor("features", "y c x");
    const x = dense([2, 2, 2]); // [y][c][x]
    const turned = actOn(finiteElement(symmetry({ kind: "rotate90", axes: ["y", "x"] }), 1), features, x);
    // x'[i, c, j] = x[j, c, 1 - i]
    const expected = [0, 1, 0, 1, 0, 1, 0, 1].map((_, index) => {
      const [i, c, j] = [index >> 2, (index >> 1) & 1, index & 1];
      return x.data[j * 4 + c * 2 + (1 - i)];
    });
    assert.deepEqual(Array.from(turned.data), expected);
  });

  test("permute: x'[i] = x[perm[i]] on every axis of the name: an adjacency [node, node] gets the same permutation twice", () => {
    const permutation: GroupElement = { kind: "permutation", symmetry: symmetry({ kind: "permute", axis: "node" }), words: "", permutation: Int32Array.from([2, 0, 1]) };
    assert.deepEqual(rows(actOn(permutation, tensor("adj", "node node"), square)), [[8, 6, 7], [2, 0, 1], [5, 3, 4]]);
    assert.deepEqual(rows(actOn(permutation, tensor("feat", "node f"), square)), [[6, 7, 8], [0, 1, 2], [3, 4, 5]]);
  });

  test("an odd turn of a tensor with one plane axis is an error; a half turn reverses it", () => {
    const turn = (k: number) => finiteElement(symmetry({ kind: "rotate90", axes: ["y", "x"] }), k);
    assert.throws(() => actOn(turn(1), tensor("profile", "y"), dense([3])), /rotate90 x1 turns y into x and back, so profile needs one axis of each, not y/);
    assert.deepEqual(rows(actOn(turn(2), tensor("profile", "y"), dense([3]))), [2, 1, 0]);
  });

  test("a permutation of another size is an error", () => {
    const permutation: GroupElement = { kind: "permutation", symmetry: symmetry({ kind: "permute", axis: "node" }), words: "", permutation: Int32Array.from([1, 0]) };
    assert.throws(() => actOn(permutation, tensor("feat", "node f"), square), /node has 3 entries on feat but 2 elsewhere/);
  });
});

describe("regular representations", () => {
  const turns = symmetry({ kind: "rotate90", axes: ["y", "x"] }, "turn");
  const orient = tensor("feat", "orient:regular:turn");

  test("a quarter turn shifts a rotate90 axis cyclically by one: X'[k] = X[k-1 mod 4]", () => {
    assert.deepEqual(rows(actOn(finiteElement(turns, 1), orient, dense([4]))), [3, 0, 1, 2]);
  });

  test("a flip swaps the two entries of a flip axis", () => {
    const flip = symmetry({ kind: "flip", axis: "x" }, "mirror");
    assert.deepEqual(rows(actOn(finiteElement(flip, 1), tensor("feat", "o:regular:mirror"), dense([2]))), [1, 0]);
  });

  test("dihedral: the flip moves entry h to flip*h (turn^k -> turn^-k flip)", () => {
    const dihedral = symmetry({ kind: "dihedral", axes: ["y", "x"] }, "d4");
    assert.deepEqual(rows(actOn(finiteElement(dihedral, 4), tensor("feat", "o:regular:d4"), dense([8]))), [4, 7, 6, 5, 0, 3, 2, 1]);
  });

  test("the same permutations as the static analysis reads for each generator", () => {
    for (const group of [{ kind: "flip", axis: "x" }, { kind: "rotate90", axes: ["y", "x"] }, { kind: "dihedral", axes: ["y", "x"] }] as Group[]) {
      const acting = symmetry(group);
      const generators = group.kind === "flip" ? [1] : group.kind === "rotate90" ? [1] : [1, 4];
      assert.deepEqual(generators.map((index) => regularSources(finiteElement(acting, index))), regularPerms(analysisGroup(acting as BoundSymmetry)), group.kind);
    }
  });

  test("acting twice is acting by the product: the representation is a homomorphism", () => {
    const dihedral = symmetry({ kind: "dihedral", axes: ["y", "x"] }, "d4");
    const regular = tensor("feat", "o:regular:d4 y x");
    const x = dense([8, 3, 3]);
    const images = Array.from({ length: 8 }, (_, index) => actOn(finiteElement(dihedral, index), regular, x));
    for (let g = 0; g < 8; g++) {
      for (let h = 0; h < 8; h++) {
        const twice = actOn(finiteElement(dihedral, g), regular, images[h]);
        assert.ok(images.some((image) => image.data.every((value, i) => value === twice.data[i])), `g=${g} after h=${h} is an element`);
      }
    }
  });
});

describe("rotations by axis kind", () => {
  // A quarter turn about z, and the reflection of the first component after it.
  const quarterTurn = [[0, -1, 0], [1, 0, 0], [0, 0, 1]];
  const reflected = quarterTurn.map((row) => row.map((value, j) => (j === 0 ? -value : value)));
  const rigid = (matrix: number[][], translation = [0, 0, 0], constructor: "SO" | "O" | "SE" | "E" = "E"): RigidElement => ({
    kind: "rigid",
    symmetry: symmetry({ kind: "rotation", constructor, axis: "xyz", reflections: true, translations: true }),
    words: "",
    matrix,
    translation,
  });
  // Two atoms: (1, 2, 3) and (4, 5, 6).
  const atoms = dense([2, 3], [1, 2, 3, 4, 5, 6]);

  test("vector: R v on every row", () => {
    assert.deepEqual(rows(actOn(rigid(quarterTurn, [10, 20, 30]), tensor("force", "atom xyz:vector"), atoms)), [[-2, 1, 3], [-5, 4, 6]]);
  });

  test("point: R p + t", () => {
    assert.deepEqual(rows(actOn(rigid(quarterTurn, [10, 20, 30]), tensor("pos", "atom xyz:point"), atoms)), [[8, 21, 33], [5, 24, 36]]);
  });

  test("pseudovector: det(R) R v (R v = (-2, -1, 3) for the improper R)", () => {
    assert.deepEqual(rows(actOn(rigid(reflected), tensor("spin", "atom xyz:pseudovector"), atoms)), [[2, 1, -3], [5, 4, -6]]);
    assert.deepEqual(rows(actOn(rigid(quarterTurn), tensor("spin", "atom xyz:pseudovector"), atoms)), [[-2, 1, 3], [-5, 4, 6]]);
  });

  test("an axis along the other dimension is rotated along that one, and a tensor with xyz twice gets R on both (R M R^T)", () => {
    const columns = dense([3, 2], [1, 4, 2, 5, 3, 6]); // [xyz, atom]: the atoms above as columns
    assert.deepEqual(rows(actOn(rigid(quarterTurn), tensor("pos", "xyz:vector atom"), columns)), [[-2, -5], [1, 4], [3, 6]]);
    const m = dense([3, 3]);
    const turned = actOn(rigid(quarterTurn), tensor("stress", "xyz:vector xyz:vector"), m);
    const expected = quarterTurn.map((_, i) => quarterTurn.map((__, j) => quarterTurn[i].reduce((sum, r, k) => sum + r * quarterTurn[j].reduce((inner, q, l) => inner + q * m.data[k * 3 + l], 0), 0)));
    assert.deepEqual(rows(turned), expected);
  });
});

describe("value groups", () => {
  test("negate and scale act on the tensors they list only", () => {
    const negate: GroupElement = { kind: "value", symmetry: symmetry({ kind: "negate", tensors: ["audio"] }), words: "negate", factor: -1 };
    assert.deepEqual(rows(actOn(negate, tensor("audio", "batch time"), dense([1, 3]))), [[0, -1, -2]]);
    assert.deepEqual(rows(actOn(negate, tensor("speech", "batch frame"), dense([1, 3]))), [[0, 1, 2]]);
    const scale: GroupElement = { kind: "value", symmetry: symmetry({ kind: "scale", tensors: ["x", "y"] }), words: "", factor: 2.5 };
    assert.deepEqual(rows(actOn(scale, tensor("y", "a"), dense([3]))), [0, 2.5, 5]);
  });
});
