/** `input` and `output` declarations against the model's graph. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { TypeProto_SequenceSchema, TypeProtoSchema } from "onnx-buf";
import { floatTensor, tensorTypeProto } from "../support/onnxBuilder";
import { assertClean, bindWithModel, codes, modelBytes, only, rebindWithFix, textAt } from "./fixtures";

const cnn = modelBytes([["image", [1, 3, 16, 16]]], [["logits", [1, 10]]]);

test("an unknown input: the model's inputs listed, the nearest suggested with a fix", async () => {
  const text = "input imgae [batch, channel, y, x]\noutput logits [batch, class]\n";
  const bound = await bindWithModel(text, cnn);
  const unknown = only(bound, "bind.unknown-input");
  assert.equal(unknown.message, "the model has no input `imgae`; its only input is `image`; did you mean `image`?");
  assert.equal(textAt(text, unknown.range), "imgae");
  assert.equal(unknown.fixes?.[0].title, "Change to image");
  assertClean(await rebindWithFix(bound, unknown, { "net.onnx": cnn }));
  assert.deepEqual(
    bound.bound.tensors.map((tensor) => tensor.name),
    ["logits"],
    "the unknown input is left out of the bound spec",
  );
});

test("an unknown output, and a fix that quotes a name that is not an identifier", async () => {
  const model = modelBytes([["input.1", [1, 8]]], [["output.1", [1, 2]]]);
  const text = "input input1 [batch, feature]\noutput out [batch, class]\n";
  const bound = await bindWithModel(text, model);
  const input = only(bound, "bind.unknown-input");
  assert.equal(input.fixes?.[0].edits[0].newText, `"input.1"`);
  const output = only(bound, "bind.unknown-output");
  assert.equal(output.message, "the model has no output `out`; its only output is `output.1`");
  assert.deepEqual(
    output.fixes?.map((fix) => [fix.title, fix.edits[0].newText, fix.preferred]),
    [[`Change to "output.1"`, `"output.1"`, true]],
    "no name is near, so every undeclared output is offered",
  );
  const fixed = await rebindWithFix(bound, input, { "net.onnx": model });
  assert.deepEqual(codes(fixed), ["bind.unknown-output"]);
});

test("an output declared as an input: the keyword is fixed", async () => {
  const text = "input image [batch, channel, y, x]\ninput logits [batch, class]\n";
  const bound = await bindWithModel(text, cnn);
  const wrong = only(bound, "bind.wrong-direction");
  assert.equal(wrong.message, "logits is an output of the model, not an input; declare it with `output`");
  assert.equal(textAt(text, wrong.range), "input");
  assert.equal(wrong.range.start.line, 1);
  assertClean(await rebindWithFix(bound, wrong, { "net.onnx": cnn }));
});

test("a weight listed as a graph input is not an input to declare", async () => {
  const model = modelBytes([["x", [1, 3]], ["w", [3]]], [["y", [1, 3]]], (graph) => graph.initializer("w", floatTensor([3], [1, 2, 3])));
  const bound = await bindWithModel("input w [k]\n", model);
  assert.match(only(bound, "bind.unknown-input").message, /^w is a weight of the model \(it has an initializer\), not an input you feed/);
});

test("a declared rank that differs from the model's: the model's type in the message, on the brackets", async () => {
  const text = "input image [batch, y, x]\n";
  const bound = await bindWithModel(text, cnn);
  const rank = only(bound, "bind.rank-mismatch");
  assert.equal(rank.message, "image has 4 axes in the model (float[1, 3, 16, 16]), but 3 axes are declared here; name each axis once");
  assert.equal(textAt(text, rank.range), "[batch, y, x]");
  assert.deepEqual(bound.bound.tensors, []);
});

test("a value that is not a tensor", async () => {
  const sequence = create(TypeProtoSchema, {
    value: { case: "sequenceType", value: create(TypeProto_SequenceSchema, { elemType: tensorTypeProto("float", [3]) }) },
  });
  const model = modelBytes([], [["y", [1]]], (graph) => graph.input("items", sequence));
  const bound = await bindWithModel("input items [i]\n", model);
  assert.match(only(bound, "bind.not-a-tensor").message, /^items is not a tensor in the model \(.+\); symmetries act on tensors$/);
});

test("`= N` that contradicts a static dim, with a fix to the model's size", async () => {
  const text = "input image [batch, channel = 4, y, x]\n";
  const bound = await bindWithModel(text, cnn);
  const mismatch = only(bound, "bind.size-mismatch");
  assert.equal(mismatch.message, "channel is 3 in the model (float[1, 3, 16, 16]), not 4; `= N` is for dynamic dims");
  assert.equal(textAt(text, mismatch.range), "4");
  assertClean(await rebindWithFix(bound, mismatch, { "net.onnx": cnn }));
});

test("`= N` must be a whole number of at least 1", async () => {
  const model = modelBytes([["x", ["n", 4]]], [["y", [1]]]);
  for (const size of ["0", "2.5", "-1"]) {
    const text = `input x [batch = ${size}, feature]\n`;
    const bound = await bindWithModel(text, model);
    const bad = only(bound, "bind.bad-size");
    assert.equal(bad.message, `an axis size is a whole number of at least 1, not ${size}`);
    assert.equal(textAt(text, bad.range), size);
  }
});

test("an axis a symmetry acts on must have one size on every tensor", async () => {
  const model = modelBytes([["image", [1, 3, 16, 16]]], [["heat", [1, 16, 8]]]);
  const text = "input image [batch, channel, y, x]\noutput heat [batch, y, x]\nsymmetry shift = translate(y, x)\n";
  const bound = await bindWithModel(text, model);
  const conflict = only(bound, "bind.axis-size-conflict");
  assert.equal(conflict.message, "x is 8 here but 16 on image; shift acts on x, so it must have one size on every tensor");
  assert.equal(conflict.range.start.line, 1);
  assert.equal(textAt(text, conflict.range), "x");
  assert.deepEqual(
    bound.bound.tensors.map((tensor) => tensor.name),
    ["image"],
  );
});

test("an axis no symmetry acts on may have different sizes on different tensors", async () => {
  const model = modelBytes([["image", [1, 3, 16, 16]]], [["feat", [1, 64, 16, 16]]]);
  const bound = await bindWithModel("input image [batch, channel, y, x]\noutput feat [batch, channel, y, x]\nsymmetry shift = translate(y, x)\n", model);
  assertClean(bound);
});

test("a name repeated within one tensor must have one size", async () => {
  const model = modelBytes([["adj", [1, 5, 6]]], [["y", [1]]]);
  const text = "input adj [batch, node, node]\n";
  const bound = await bindWithModel(text, model);
  const conflict = only(bound, "bind.axis-size-conflict");
  assert.equal(conflict.message, "node appears twice in adj with different sizes (5 and 6); a repeated axis is acted on as one, so both must have one size");
  assert.equal(conflict.range.start.character, text.lastIndexOf("node"));
  const square = await bindWithModel(text, modelBytes([["adj", [1, 5, 5]]], [["y", [1]]]));
  assertClean(square);
});

test("an unknown axis kind: suggested among the kinds and the finite symmetries", async () => {
  const model = modelBytes([["pos", [1, 5, 3]]], [["e", [1]]]);
  const text = "input pos [batch, atom, xyz: pont]\nsymmetry rigid = E(xyz)\n";
  const bound = await bindWithModel(text, model);
  const unknown = only(bound, "bind.unknown-axis-kind");
  assert.equal(
    unknown.message,
    "unknown axis kind `pont`; an axis kind is vector, pseudovector, point, or the name of a flip, rotate90 or dihedral symmetry; did you mean `point`?",
  );
  assert.equal(textAt(text, unknown.range), "pont");
  assertClean(await rebindWithFix(bound, unknown, { "net.onnx": model }));
});

test("an axis kind that names a symmetry without a regular representation", async () => {
  const model = modelBytes([["image", [1, 4, 8, 8]]], [["y", [1]]]);
  const text = "input image [batch, orient: shift, y, x]\nsymmetry shift = translate(y, x)\nsymmetry turn = rotate90(y, x)\n";
  const bound = await bindWithModel(text, model);
  assert.equal(
    only(bound, "bind.not-finite-group").message,
    "shift is a translate symmetry, which has no regular representation on an axis; an axis kind is vector, pseudovector, point, or the name of a flip, rotate90 or dihedral symmetry (here: turn)",
  );
});

test("a regular axis must have the group's order as its size", async () => {
  const model = modelBytes([["image", [1, 3, 8, 8]]], [["feat", [1, 8, 8, 8]]]);
  const text = "input image [batch, channel, y, x]\noutput feat [batch, orient: turn, y, x]\nsymmetry turn = rotate90(y, x)\n";
  const bound = await bindWithModel(text, model);
  const size = only(bound, "bind.regular-size");
  assert.equal(size.message, "orient carries the regular representation of turn (rotate90: 4 elements), so its size must be 4, not 8");
  assert.equal(textAt(text, size.range), "orient: turn");
});

test("a tensor declared twice: the second is an error with a fix that removes it", async () => {
  const text = "input image [batch, channel, y, x]\noutput logits [batch, class]\ninput image [b, c, h, w]\n";
  const bound = await bindWithModel(text, cnn);
  const duplicate = only(bound, "bind.duplicate-tensor");
  assert.equal(duplicate.message, "image is already declared on line 1; declare each tensor once");
  assert.equal(duplicate.range.start.line, 2);
  assertClean(await rebindWithFix(bound, duplicate, { "net.onnx": cnn }));
  assert.deepEqual(
    bound.bound.tensors.map((tensor) => tensor.axes.map((axis) => axis.name).join(" ")),
    ["batch channel y x", "batch class"],
  );
});

test("an axis rotated by SO/O/SE/E with no kind written is a vector; others are plain", async () => {
  const model = modelBytes([["v", [1, 3]], ["w", [1, 3]]], [["y", [1]]]);
  const { bound } = await bindWithModel("input v [batch, xyz]\ninput w [batch, rgb]\nsymmetry turn = SO(xyz)\n", model);
  assert.deepEqual(
    bound.tensors.map((tensor) => tensor.axes.map((axis) => axis.kind)),
    [
      ["plain", "vector"],
      ["plain", "plain"],
    ],
  );
});

test("a kind naming a symmetry with an unknown constructor is reported once, on the symmetry", async () => {
  const model = modelBytes([["image", [1, 3, 8, 8]]], [["y", [1]]]);
  const text = "input image [batch, orient: odd, y, x]\nsymmetry odd = constructor(y)\n";
  const bound = await bindWithModel(text, model);
  assert.deepEqual(codes(bound), ["bind.unknown-group"]);
});
