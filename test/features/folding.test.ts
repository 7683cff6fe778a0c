/** Folding ranges: check blocks, comment runs, runs of statements of one kind. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { FoldingRangeKind, type FoldingRange } from "vscode-languageserver-types";
import { foldingRanges } from "../../server/src/features/folding";
import { analyze, FULL_SPEC } from "./fixture";

/** `start-end` (zero-based lines), with `comment` for comment folds. */
function folds(ranges: FoldingRange[]): string[] {
  return ranges.map((range) => `${range.startLine}-${range.endLine}${range.kind === FoldingRangeKind.Comment ? " comment" : ""}`);
}

test("runs of tensors, symmetries and claims fold, and the check block folds up to its closing brace", async () => {
  assert.deepEqual(folds(foldingRanges(await analyze(FULL_SPEC))), ["1-5", "7-11", "13-15", "16-19"]);
});

test("a check block closed on its last setting's line folds to that line; one on a single line does not fold", async () => {
  assert.deepEqual(folds(foldingRanges(await analyze("check {\n  samples 8\n  seed 1 }\n"))), ["0-2"]);
  assert.deepEqual(folds(foldingRanges(await analyze("check { samples 8 }\n"))), []);
});

test("two or more lines of comments fold; a single one and comments after code do not", async () => {
  const text = [
    "# A classifier.",
    "# Shifts should not matter.",
    "input image [batch, channel, y, x]  # NCHW",
    "output logits [batch, class]        # scores",
    "",
    "   # an indented comment",
    "   # and another",
    "# a third",
    "symmetry shift = translate(y, x)",
    "# alone",
    "invariant logits under shift",
  ].join("\n");
  assert.deepEqual(folds(foldingRanges(await analyze(text))), ["0-1 comment", "5-7 comment"]);
});

test("statements fold only in runs of three or more of one kind on consecutive lines", async () => {
  const text = [
    "input image [batch, channel, y, x]",
    "output logits [batch, class]",
    "",
    "symmetry a = flip(x)",
    "symmetry b = flip(y)",
    "invariant logits under a",
    "symmetry c = translate(y, x)",
    "",
    "invariant logits under b",
    "invariant logits under c",
    "equivariant logits under a",
  ].join("\n");
  assert.deepEqual(folds(foldingRanges(await analyze(text))), ["8-10"]);
});
