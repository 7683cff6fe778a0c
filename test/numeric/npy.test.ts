/**
 * The .npy reader behind `input NAME from "FILE.npy"`: the three header versions, each element
 * type it reads, and a clear error for everything else.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { parseNpy, readNpy } from "../../server/src/symmetry/numeric/npy";
import { npyFile, temporaryFolder } from "./fixtures";

describe("npy files", () => {
  test("versions 1, 2 and 3 of the format", () => {
    for (const version of [1, 2, 3] as const) {
      const array = parseNpy(npyFile("<f4", [2, 3], Float32Array.from([1, 2, 3, 4, 5, 6.5]), { version }), "x.npy");
      assert.deepEqual(array.shape, [2, 3], `version ${version}`);
      assert.deepEqual(Array.from(array.data), [1, 2, 3, 4, 5, 6.5], `version ${version}`);
    }
  });

  test("every element type read, as float64 values", () => {
    const cases: [string, ArrayBufferView, number[]][] = [
      ["<f8", Float64Array.from([0.1, -2]), [0.1, -2]],
      ["<f4", Float32Array.from([0.5, -2]), [0.5, -2]],
      ["<f2", Uint16Array.from([0x3c00, 0xc000]), [1, -2]],
      ["<i4", Int32Array.from([-7, 2 ** 31 - 1]), [-7, 2 ** 31 - 1]],
      ["<i8", BigInt64Array.from([-3n, 2n ** 40n]), [-3, 2 ** 40]],
      ["|u1", Uint8Array.from([0, 255]), [0, 255]],
      ["|b1", Uint8Array.from([0, 1]), [0, 1]],
    ];
    for (const [descr, data, values] of cases) assert.deepEqual(Array.from(parseNpy(npyFile(descr, [2], data), "x.npy").data), values, descr);
  });

  test("a scalar has the shape [] and one value", () => {
    const array = parseNpy(npyFile("<f8", [], Float64Array.from([3])), "x.npy");
    assert.deepEqual([array.shape, Array.from(array.data)], [[], [3]]);
  });

  test("what it does not read, it says, with what it reads", () => {
    const cases: [Uint8Array, RegExp][] = [
      [npyFile(">f4", [1], Float32Array.from([1])), /x\.npy is not an \.npy file that symcheck reads: its values are big-endian \(>f4\); save them as '<f4'/],
      [npyFile("<f4", [2, 2], Float32Array.from([1, 2, 3, 4]), { fortranOrder: true }), /its array is in Fortran order/],
      [npyFile("<c8", [1], Float32Array.from([1, 0])), /its values are <c8; the types read are float16, float32, float64, int32, int64, uint8 and bool/],
      [npyFile("<f8", [4], Float64Array.from([1, 2])), /its shape \(4\) needs 32 bytes of data, and it has 16/],
      [new TextEncoder().encode("not numpy at all"), /it does not start with the \.npy magic string/],
    ];
    for (const [bytes, message] of cases) assert.throws(() => parseNpy(bytes, "x.npy"), message);
  });

  test("a missing file is named", async () => {
    const folder = temporaryFolder();
    await assert.rejects(readNpy(path.join(folder, "absent.npy")), /cannot read .*absent\.npy: no such file/);
    writeFileSync(path.join(folder, "x.npy"), npyFile("<i8", [1], BigInt64Array.from([5n])));
    assert.deepEqual(Array.from((await readNpy(path.join(folder, "x.npy"))).data), [5]);
  });
});
