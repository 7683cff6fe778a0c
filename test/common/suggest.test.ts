import assert from "node:assert/strict";
import { test } from "node:test";
import { editDistance, listInWords, nearest } from "../../server/src/common/suggest";

test("edit distance counts insertions, deletions, substitutions and adjacent swaps", () => {
  assert.equal(editDistance("shift", "shift"), 0);
  assert.equal(editDistance("shft", "shift"), 1);
  assert.equal(editDistance("shiftt", "shift"), 1);
  assert.equal(editDistance("shaft", "shift"), 1);
  assert.equal(editDistance("sihft", "shift"), 1);
  assert.equal(editDistance("", "abc"), 3);
  assert.equal(editDistance("kitten", "sitting"), 3);
});

test("edit distance stops at the limit and says limit + 1", () => {
  assert.equal(editDistance("kitten", "sitting", 1), 2);
  assert.equal(editDistance("abcdefgh", "zyxwvuts", 2), 3);
  assert.equal(editDistance("kitten", "sitting", 3), 3);
});

test("nearest suggests the closest plausible name, ignoring case, and nothing when all are far", () => {
  assert.equal(nearest("so", ["SE", "SO", "O"]), "SO");
  assert.equal(nearest("tranlate", ["flip", "translate", "rotate90"]), "translate");
  assert.equal(nearest("banana", ["flip", "translate"]), undefined);
  const many = Array.from({ length: 5000 }, (_, i) => `name${i}`);
  assert.equal(nearest("name4999x", many), "name4999");
});

test("choices are listed in words", () => {
  assert.equal(listInWords(["a"]), "a");
  assert.equal(listInWords(["a", "b"]), "a or b");
  assert.equal(listInWords(["a", "b", "c"], "and"), "a, b and c");
});
