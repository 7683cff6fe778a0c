import assert from "node:assert/strict";
import test from "node:test";
import { comparePositions, type Position, type Range } from "../../server/src/common/text";
import type { SpecFile } from "../../server/src/dsl/ast";
import { parseSpec } from "../../server/src/dsl/parse";
import { SPEC_EXAMPLES } from "../support/specExamples";

/** A small seeded generator (mulberry32): the same inputs on every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function lineLengths(text: string): number[] {
  return text.split(/\r\n|\r|\n/).map((line) => line.length);
}

function assertInside(range: Range, lengths: number[], what: string): void {
  const valid = (position: Position) =>
    Number.isInteger(position.line) &&
    Number.isInteger(position.character) &&
    position.line >= 0 &&
    position.line < lengths.length &&
    position.character >= 0 &&
    position.character <= lengths[position.line];
  assert.ok(valid(range.start) && valid(range.end) && comparePositions(range.start, range.end) <= 0, `${what}: ${JSON.stringify(range)}`);
}

/** Every range in the tree, found by walking it: objects with `start` and `end` positions. */
function treeRanges(spec: SpecFile): Range[] {
  const ranges: Range[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === "object") {
      if ("start" in value && "end" in value) ranges.push(value as Range);
      else Object.values(value).forEach(walk);
    }
  };
  walk(spec);
  return ranges;
}

/** Parses without an internal error; every range of the tree and the diagnostics lies inside the text, diagnostics in order. */
function parseSafely(text: string): ReturnType<typeof parseSpec> {
  const result = parseSpec(text);
  const lengths = lineLengths(text);
  const context = JSON.stringify(text.slice(0, 200));
  assert.ok(!result.diagnostics.some((diagnostic) => diagnostic.code === "syntax.internal-error"), context);
  for (const diagnostic of result.diagnostics) {
    assertInside(diagnostic.range, lengths, `${diagnostic.message} in ${context}`);
    for (const fix of diagnostic.fixes ?? []) fix.edits.forEach((edit) => assertInside(edit.range, lengths, `fix in ${context}`));
  }
  for (const range of treeRanges(result.spec)) assertInside(range, lengths, `tree range in ${context}`);
  const starts = result.diagnostics.map((diagnostic) => diagnostic.range.start);
  assert.ok(
    starts.every((start, index) => index === 0 || comparePositions(starts[index - 1], start) <= 0),
    `diagnostics in source order: ${context}`,
  );
  return result;
}

test("every prefix of every spec example parses, with at most one diagnostic (the cut)", () => {
  for (const text of Object.values(SPEC_EXAMPLES)) {
    for (let end = 0; end <= text.length; end++) {
      const prefix = text.slice(0, end);
      const { diagnostics } = parseSafely(prefix);
      assert.ok(diagnostics.length <= 1, `${JSON.stringify(prefix)}: ${diagnostics.map((d) => d.message).join("; ")}`);
    }
  }
});

const SOUP = [
  "model",
  "input",
  "output",
  "symmetry",
  "invariant",
  "equivariant",
  "check",
  "under",
  "within",
  "from",
  "samples",
  "seed",
  "tolerance",
  "size",
  "_",
  "x",
  "batch",
  "translate",
  "inptu",
  '"input.1"',
  '"unterminated',
  "8",
  "-3",
  "1e-4",
  ".5",
  "[",
  "]",
  "(",
  ")",
  "{",
  "}",
  ",",
  "=",
  ":",
  "~",
  "$",
  "'",
  "# comment\n",
  "\n",
  "\r\n",
];

test("random token soups never break the parser (seeded)", () => {
  const next = random(20240611);
  for (let round = 0; round < 400; round++) {
    const length = Math.floor(next() * 40);
    const words = Array.from({ length }, () => SOUP[Math.floor(next() * SOUP.length)]);
    parseSafely(words.join(next() < 0.5 ? " " : ""));
  }
});

test("random strings of any characters never break the parser (seeded)", () => {
  const next = random(7);
  for (let round = 0; round < 300; round++) {
    const length = Math.floor(next() * 80);
    // Code units, not code points: lone surrogates, NULs and line separators included.
    const codeUnit = () => (next() < 0.7 ? 32 + Math.floor(next() * 95) : Math.floor(next() * 0x10000));
    const text = String.fromCharCode(...Array.from({ length }, codeUnit));
    parseSafely(text);
  }
});

test("spec examples with one token dropped or doubled recover with few diagnostics (seeded)", () => {
  const next = random(99);
  const examples = Object.values(SPEC_EXAMPLES);
  for (let round = 0; round < 200; round++) {
    const text = examples[round % examples.length];
    const words = text.split(/(?<=[\s,()[\]{}=:])|(?=[\s,()[\]{}=:])/);
    const index = Math.floor(next() * words.length);
    const dropped = [...words.slice(0, index), ...words.slice(index + 1)];
    const doubled = [...words.slice(0, index + 1), ...words.slice(index)];
    const changed = next() < 0.5 ? dropped : doubled;
    const { diagnostics } = parseSafely(changed.join(""));
    assert.ok(diagnostics.length <= 2, `${JSON.stringify(changed.join(""))}: ${diagnostics.map((d) => d.message).join("; ")}`);
  }
});
