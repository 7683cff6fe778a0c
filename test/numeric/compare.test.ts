/**
 * The comparison of f(g.x) with what a claim expects: the spec's relative and absolute errors,
 * non-finite values, and the cells a `translate(..., margin=m)` leaves out.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ActedTensor } from "../../server/src/binding/actions";
import { compare, compareMoved, marginMask } from "../../server/src/symmetry/numeric/compare";
import { gather, type Dense } from "../../server/src/symmetry/numeric/dense";
import type { GroupElement } from "../../server/src/symmetry/numeric/elements";

const dense = (shape: number[], values: number[]): Dense => ({ shape, data: Float64Array.from(values) });

function shiftElement(shifts: Record<string, number>, margin: number): GroupElement {
  return {
    kind: "shift",
    symmetry: { name: "shift", group: { kind: "translate", axes: Object.keys(shifts), step: 1, margin } },
    words: "",
    shifts: new Map(Object.entries(shifts)),
  };
}

const plain = (name: string, axes: string[]): ActedTensor => ({ name, axes: axes.map((axis) => ({ name: axis, kind: "plain" })) });

describe("errors", () => {
  test("relative error: the largest difference over the largest expected magnitude; absolute: the largest difference", () => {
    const discrepancy = compare(dense([3], [1, 2.5, -4.2]), dense([3], [1, 2, -4]));
    assert.ok(Math.abs(discrepancy.relative - 0.5 / 4) < 1e-12);
    assert.ok(Math.abs(discrepancy.absolute - 0.5) < 1e-12);
    assert.deepEqual([discrepancy.finite, discrepancy.compared], [true, 3]);
  });

  test("an expected output of zeros is measured against 1e-12", () => {
    assert.equal(compare(dense([2], [1e-13, 0]), dense([2], [0, 0])).relative, 0.1);
    assert.equal(compare(dense([2], [0, 0]), dense([2], [0, 0])).relative, 0);
  });

  test("a NaN or an infinity on either side fails, with infinite errors", () => {
    for (const [actual, expected] of [[[NaN, 1], [1, 1]], [[1, 1], [1, Infinity]], [[NaN, 1], [NaN, 1]]]) {
      const discrepancy = compare(dense([2], actual), dense([2], expected));
      assert.deepEqual([discrepancy.relative, discrepancy.absolute, discrepancy.finite], [Infinity, Infinity, false], `${actual} vs ${expected}`);
    }
  });

  test("a NaN or an infinity fails on Float32 outputs too, wherever it is", () => {
    for (const at of [0, 7, 15]) {
      for (const bad of [NaN, Infinity, -Infinity]) {
        const actual = new Float32Array(16).fill(1);
        actual[at] = bad;
        const discrepancy = compare({ shape: [16], data: actual }, { shape: [16], data: new Float32Array(16).fill(1) });
        assert.deepEqual([discrepancy.relative, discrepancy.finite], [Infinity, false], `${bad} at ${at}`);
      }
    }
  });

  test("finite values near the largest float64 stay finite, although their differences add up past it", () => {
    const discrepancy = compare(dense([3], [1e308, 1e308, 1e308]), dense([3], [1, 1, 1]));
    assert.deepEqual([discrepancy.relative, discrepancy.absolute, discrepancy.finite, discrepancy.compared], [1e308 - 1, 1e308 - 1, true, 3]);
  });

  test("a mask leaves entries out, even non-finite ones", () => {
    const discrepancy = compare(dense([3], [NaN, 5, 1]), dense([3], [0, 0, 1]), Uint8Array.from([0, 0, 1]));
    assert.deepEqual([discrepancy.relative, discrepancy.compared], [0, 1]);
  });
});

describe("against moved entries", () => {
  // f(x) of shape [3, 4]; g.f(x) reads row perm[i] (runs of whole rows), or column shift (entry by entry).
  const fx: Dense = { shape: [3, 4], data: Float32Array.from({ length: 12 }, (_, i) => i * 1.5 - 4) };
  const rows = [Int32Array.from([2, 0, 1].map((row) => row * 4)), Int32Array.from([0, 1, 2, 3])];
  const columns = [Int32Array.from([0, 4, 8]), Int32Array.from([3, 0, 1, 2])];

  test("gives the errors of the gathered copy, whichever axis moves", () => {
    for (const offsets of [rows, columns]) {
      const expected = gather(fx, offsets);
      const actual: Dense = { shape: fx.shape, data: expected.data.map((value, i) => value + (i === 5 ? 0.25 : 0)) };
      assert.deepEqual(compareMoved(actual, fx, offsets), compare(actual, expected));
      assert.equal(compareMoved(actual, fx, offsets).absolute, 0.25);
    }
  });

  test("a NaN fails as it does against the copy", () => {
    const actual: Dense = { shape: fx.shape, data: gather(fx, rows).data.map((value, i) => (i === 7 ? NaN : value)) };
    assert.deepEqual(compareMoved(actual, fx, rows), { relative: Infinity, absolute: Infinity, finite: false, compared: 8 });
  });
});

describe("margins", () => {
  test("translate(x, margin=1) on 6 cells: kept are the cells 1 or more from both borders, where they are and where they came from", () => {
    const row = plain("out", ["x"]);
    // Shift +2: p in [1, 4] and p - 2 in [1, 4].
    assert.deepEqual(Array.from(marginMask(shiftElement({ x: 2 }, 1), row, [6])!), [0, 0, 0, 1, 1, 0]);
    // Shift -1: p in [1, 4] and p + 1 in [1, 4].
    assert.deepEqual(Array.from(marginMask(shiftElement({ x: -1 }, 1), row, [6])!), [0, 1, 1, 1, 0, 0]);
  });

  test("on two shifted axes a cell must be kept along both; other axes do not matter", () => {
    const mask = marginMask(shiftElement({ y: 1, x: 0 }, 1), plain("feat", ["c", "y", "x"]), [2, 4, 4])!;
    const kept = (c: number, y: number, x: number) => mask[c * 16 + y * 4 + x];
    for (let c = 0; c < 2; c++) {
      for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) assert.equal(kept(c, y, x), y === 2 && (x === 1 || x === 2) ? 1 : 0, `c=${c} y=${y} x=${x}`);
    }
  });

  test("no mask without a margin, or on a tensor the shift does not move", () => {
    assert.equal(marginMask(shiftElement({ x: 2 }, 0), plain("out", ["x"]), [6]), undefined);
    assert.equal(marginMask(shiftElement({ x: 2 }, 1), plain("logits", ["class"]), [6]), undefined);
  });
});
