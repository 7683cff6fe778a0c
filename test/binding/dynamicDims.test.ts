/** Dynamic dims of declared inputs that no size resolves: a warning, with a fix that sizes them. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { applyFix, assertClean, bindWithModel, codes, modelBytes, only, rebindWithFix, textAt } from "./fixtures";

const model = modelBytes([["tokens", ["N", "T", 8]]], [["logits", ["N", 10]]]);
const files = { "net.onnx": model };
const TENSORS = "input tokens [batch, seq, feature]\noutput logits [batch, class]\n";

test("a dynamic dim without a size: a warning on the axis, and a fix that adds a check block", async () => {
  const text = "input tokens [batch = 2, seq, feature]\noutput logits [batch, class]";
  const bound = await bindWithModel(text, model);
  const warning = only(bound, "bind.dynamic-dim");
  assert.equal(warning.severity, "warning");
  assert.equal(warning.message, "seq is dynamic in the model (dim 'T'); numeric checks need a size: add `size seq = 2`");
  assert.equal(textAt(text, warning.range), "seq");
  assert.equal(applyFix(text, warning.fixes?.[0]), `${text}\ncheck { size seq = 2 }`);
  assertClean(await rebindWithFix(bound, warning, files));
});

test("each unsized axis gets its own warning, except the batch axis; outputs get none", async () => {
  const bound = await bindWithModel(TENSORS, model);
  assert.deepEqual(
    bound.diagnostics.map((d) => [d.code, textAt(TENSORS, d.range), d.range.start.line]),
    [["bind.dynamic-dim", "seq", 0]],
  );
});

test("the batch axis (leading, dynamic, moved by no symmetry) needs no size; once a symmetry moves it, it does", async () => {
  const two = modelBytes([["a", ["N", "T"]], ["b", ["N", "T"]]], [["y", ["N"]]]);
  assertClean(await bindWithModel("input a [batch, _ = 4]\ninput b [batch, _ = 4]\n", two));
  const moved = await bindWithModel("input a [batch, _ = 4]\ninput b [batch, _ = 4]\nsymmetry p = permute(batch)\n", two);
  assert.deepEqual(
    moved.diagnostics.map((d) => [d.code, d.range.start.line]),
    [["bind.dynamic-dim", 0]],
    "one warning per axis name, on its first occurrence",
  );
});

test("the fix adds to the check block's size setting, or adds a size setting to the block", async () => {
  const cases: [block: string, fixed: string][] = [
    ["check { size batch = 2 }", "check { size batch = 2, seq = 2 }"],
    ["check { samples 4 }", "check { samples 4 size seq = 2 }"],
    ["check {\n  samples 4\n}", "check {\n  samples 4\n  size seq = 2\n}"],
    ["check { }", "check { size seq = 2 }"],
  ];
  for (const [block, fixed] of cases) {
    const text = `input tokens [batch, seq, feature]\n${block}\n`;
    const bound = await bindWithModel(text, model);
    const warning = only(bound, "bind.dynamic-dim");
    assert.equal(applyFix(text, warning.fixes?.[0]), `input tokens [batch, seq, feature]\n${fixed}\n`, block);
    assertClean(await rebindWithFix(bound, warning, files));
  }
});

test("sizes from `= N` and from the check block resolve dynamic dims", async () => {
  const bound = await bindWithModel("input tokens [batch = 3, seq, feature]\ncheck { size seq = 5 }\n", model);
  assertClean(bound);
  assert.deepEqual(
    bound.bound.tensors[0].axes.map((axis) => [axis.size, axis.modelDim]),
    [
      [3, "N"],
      [5, "T"],
      [8, "8"],
    ],
  );
});

test("the warnings are off when the option says so", async () => {
  assertClean(await bindWithModel(TENSORS, model, { dynamicDimWarnings: false }));
});

test("a dim the model leaves unknown, on an unnamed axis: the fix sizes it in place", async () => {
  const unknown = modelBytes([["x", [4, null]]], [["y", [1]]]);
  const text = "input x [feature, _]\n";
  const bound = await bindWithModel(text, unknown);
  const warning = only(bound, "bind.dynamic-dim");
  assert.equal(warning.message, "axis 1 of x is dynamic in the model (no size given); numeric checks need a size: write `_ = 2`");
  assert.equal(applyFix(text, warning.fixes?.[0]), "input x [feature, _ = 2]\n");
  assertClean(await rebindWithFix(bound, warning, { "net.onnx": unknown }));
});

test("an axis a symmetry moves is offered the size it has elsewhere", async () => {
  const image = modelBytes([["image", [1, 3, "H", "W"]]], [["heat", [1, 16, 16]]]);
  const text = "input image [batch, channel, y, x]\noutput heat [batch, y, x]\nsymmetry shift = translate(y, x)\n";
  const bound = await bindWithModel(text, image);
  assert.deepEqual(codes(bound), ["bind.dynamic-dim", "bind.dynamic-dim"]);
  assert.match(bound.diagnostics[0].message, /add `size y = 16`$/);
});
