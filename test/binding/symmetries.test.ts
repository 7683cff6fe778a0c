/** `symmetry` statements: constructors, arguments, options, and axes that can carry the group. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { assertClean, bindFiles, bindWithModel, codes, modelBytes, only, rebindWithFix, textAt } from "./fixtures";

const cnn = modelBytes([["image", [1, 3, 16, 16]]], [["logits", [1, 10]]]);
const TENSORS = "input image [batch, channel, y, x]\noutput logits [batch, class]\n";

async function bindSymmetry(line: string, model = cnn, tensors = TENSORS) {
  const text = `${tensors}${line}\n`;
  return bindWithModel(text, model);
}

test("an unknown constructor: the nearest suggested, with a fix", async () => {
  const bound = await bindSymmetry("symmetry shift = translat(y, x)");
  const unknown = only(bound, "bind.unknown-group");
  assert.equal(unknown.message, "unknown group `translat`; did you mean `translate`?");
  assert.equal(textAt(bound.text, unknown.range), "translat");
  assert.deepEqual(codes(bound), ["bind.unknown-group"], "its arguments are not judged as tensors");
  assertClean(await rebindWithFix(bound, unknown, { "net.onnx": cnn }));
  assert.equal(bound.bound.symmetries.size, 0, "an unknown group is left out");
});

test("an unknown constructor far from any: the groups listed", async () => {
  const bound = await bindSymmetry("symmetry s = mirror(x)");
  assert.equal(
    only(bound, "bind.unknown-group").message,
    "unknown group `mirror`; the groups are translate, flip, rotate90, dihedral, permute, SO, O, SE, E, negate or scale",
  );
});

test("case is ignored when suggesting a constructor", async () => {
  const bound = await bindSymmetry("symmetry s = so(channel)");
  assert.equal(only(bound, "bind.unknown-group").fixes?.[0].edits[0].newText, "SO");
});

test("a wrong number of arguments: the expected count and an example", async () => {
  const bound = await bindSymmetry("symmetry turn = rotate90(y)");
  const count = only(bound, "bind.argument-count");
  assert.equal(count.message, "rotate90 takes 2 axes, as in rotate90(y, x), but 1 is given");
  assert.equal(textAt(bound.text, count.range), "(y)");
  const flip = await bindSymmetry("symmetry f = flip(y, x)");
  assert.equal(only(flip, "bind.argument-count").message, "flip takes 1 axis, as in flip(x), but 2 are given");
  const negate = await bindSymmetry("symmetry n = negate()");
  assert.equal(only(negate, "bind.argument-count").message, "negate takes one or more tensors, as in negate(input), but 0 are given");
});

test("an axis no tensor declares: the declared axes listed, the nearest suggested", async () => {
  const bound = await bindSymmetry("symmetry shift = translate(y, xx)");
  const unknown = only(bound, "bind.unknown-axis");
  assert.equal(unknown.message, "no tensor declares an axis `xx`; declared axes are batch, channel, y, x and class; did you mean `x`?");
  assert.equal(textAt(bound.text, unknown.range), "xx");
  assertClean(await rebindWithFix(bound, unknown, { "net.onnx": cnn }));
});

test("`_` is not an axis a group can act on", async () => {
  const bound = await bindSymmetry("symmetry f = flip(_)", cnn, "input image [batch, _, y, x]\n");
  assert.match(only(bound, "bind.unknown-axis").message, /^`_` marks an axis that no group acts on/);
});

test("a quoted name or a number where an axis is expected", async () => {
  const quoted = await bindSymmetry('symmetry f = flip("x")');
  const expected = only(quoted, "bind.expected-axis");
  assert.equal(textAt(quoted.text, expected.range), `"x"`);
  assert.equal(expected.fixes?.[0].edits[0].newText, "x");
  assertClean(await rebindWithFix(quoted, expected, { "net.onnx": cnn }));
  const numeric = await bindSymmetry("symmetry f = flip(3)");
  assert.equal(only(numeric, "bind.expected-axis").message, "flip expects an axis name here, not the number 3");
  const tensor = await bindSymmetry("symmetry n = negate(image, 3)");
  assert.equal(only(tensor, "bind.expected-tensor").message, "negate expects a tensor name here, not the number 3");
});

test("an axis named twice", async () => {
  const bound = await bindSymmetry("symmetry shift = translate(y, y)");
  const twice = only(bound, "bind.duplicate-argument");
  assert.equal(twice.message, "y is given twice; name it once");
  assert.equal(twice.range.start.character, bound.text.split("\n")[2].lastIndexOf("y"));
});

test("options: unknown ones suggested, bad values explained, none on groups without options", async () => {
  const misspelt = await bindSymmetry("symmetry shift = translate(y, x, stp=2)");
  const unknown = only(misspelt, "bind.unknown-option");
  assert.equal(unknown.message, "translate has no option `stp`; its options are step and margin; did you mean `step`?");
  assert.equal(textAt(misspelt.text, unknown.range), "stp");
  assertClean(await rebindWithFix(misspelt, unknown, { "net.onnx": cnn }));

  const zeroStep = await bindSymmetry("symmetry shift = translate(y, x, step=0)");
  const bad = only(zeroStep, "bind.bad-option-value");
  assert.equal(bad.message, "step is a whole number of at least 1, not 0");
  assert.equal(textAt(zeroStep.text, bad.range), "0");
  const fraction = await bindSymmetry("symmetry shift = translate(y, x, margin=1.5)");
  assert.equal(only(fraction, "bind.bad-option-value").message, "margin is a whole number of at least 0, not 1.5");
  const negative = await bindSymmetry("symmetry shift = translate(y, x, margin=-1)");
  assert.deepEqual(codes(negative), ["bind.bad-option-value"]);

  const onFlip = await bindSymmetry("symmetry f = flip(x, step=2)");
  assert.equal(only(onFlip, "bind.unknown-option").message, "flip has no options");
});

test("options are bound with the group; absent ones take their defaults", async () => {
  const { bound } = await bindSymmetry("symmetry shift = translate(y, x, step=2, margin=3)");
  assert.deepEqual(bound.symmetries.get("shift")?.group, { kind: "translate", axes: ["y", "x"], step: 2, margin: 3 });
});

test("rotate90 and dihedral need axes of one size", async () => {
  const wide = modelBytes([["image", [1, 3, 16, 8]]], [["logits", [1, 10]]]);
  for (const constructor of ["rotate90", "dihedral"]) {
    const bound = await bindSymmetry(`symmetry turn = ${constructor}(y, x)`, wide);
    const mismatch = only(bound, "bind.plane-size-mismatch");
    assert.equal(mismatch.message, `${constructor} turns y into x, so they need one size, but y is 16 (on image) and x is 8 (on image)`);
    assert.equal(textAt(bound.text, mismatch.range), "(y, x)");
  }
});

test("SO, O, SE and E need an axis of size 2 or 3", async () => {
  const model = modelBytes([["pos", [1, 5, 4]]], [["e", [1]]]);
  const bound = await bindSymmetry("symmetry rigid = SE(xyz)", model, "input pos [batch, atom, xyz: point]\n");
  const size = only(bound, "bind.rotation-axis-size");
  assert.equal(size.message, "SE rotates xyz as a vector of 2 or 3 components, but xyz has size 4 on pos");
  assert.equal(textAt(bound.text, size.range), "xyz");
  const plane = await bindSymmetry("symmetry r = SO(xy)", modelBytes([["pos", [1, 5, 2]]], [["e", [1]]]), "input pos [batch, atom, xy]\n");
  assertClean(plane);
});

test("negate and scale name tensors: declared ones, or the model's inputs and outputs", async () => {
  const model = modelBytes([["audio", [1, 100]], ["gain", [1]]], [["speech", [1, 10]]]);
  const tensors = "input audio [batch, time]\noutput speech [batch, frame]\n";
  const undeclared = await bindSymmetry("symmetry both = negate(audio, gain)", model, tensors);
  assertClean(undeclared);
  assert.deepEqual(undeclared.bound.symmetries.get("both")?.group, { kind: "negate", tensors: ["audio", "gain"] });
  const quoted = await bindSymmetry('symmetry loud = scale("audio")', model, tensors);
  assertClean(quoted);
  const unknown = await bindSymmetry("symmetry polarity = negate(audoi)", model, tensors);
  const missing = only(unknown, "bind.unknown-tensor");
  assert.equal(missing.message, "negate names `audoi`, which is neither declared nor an input or output of the model; did you mean `audio`?");
  assertClean(await rebindWithFix(unknown, missing, { "net.onnx": model }));
});

test("a symmetry that acts on no input is a warning", async () => {
  const outputsOnly = await bindSymmetry("symmetry s = translate(class)");
  const warning = only(outputsOnly, "bind.acts-on-no-input");
  assert.equal(warning.severity, "warning");
  assert.equal(warning.message, "s acts on no input: no declared input has an axis class, so the model sees the same inputs under it");
  assert.equal(textAt(outputsOnly.text, warning.range), "s");
  const negated = await bindSymmetry("symmetry n = negate(logits)");
  assert.equal(only(negated, "bind.acts-on-no-input").message, "n acts on no input: negate lists only outputs, so the model sees the same inputs under it; list an input");
  assert.ok(negated.bound.symmetries.has("n"), "a warning does not leave the symmetry out");
});

test("a symmetry name declared twice", async () => {
  const bound = await bindSymmetry("symmetry shift = translate(y, x)\nsymmetry shift = flip(x)");
  const duplicate = only(bound, "bind.duplicate-symmetry");
  assert.equal(duplicate.message, "a symmetry shift is already declared on line 3; give this one another name");
  assert.equal(duplicate.range.start.line, 3);
  assert.deepEqual(bound.bound.symmetries.get("shift")?.group.kind, "translate");
});

test("symmetries are checked without a model too", async () => {
  const bound = await bindFiles(`${TENSORS}symmetry turn = rotate90(y)\n`, {});
  assert.deepEqual(codes(bound), ["bind.model-missing", "bind.argument-count"]);
});
