import assert from "node:assert/strict";
import test from "node:test";
import type { NumberLiteral, StringLiteral } from "../../server/src/dsl/ast";
import { parseClean, rangeOf, rangeWithin, single, texts } from "./helpers";

test("model: the path without quotes, its range with them", () => {
  const text = 'model "models/tiny cnn.onnx"';
  const model = single(text, "model");
  assert.equal(model.path?.value, "models/tiny cnn.onnx");
  assert.deepEqual(model.path?.range, rangeOf(text, '"models/tiny cnn.onnx"'));
  assert.deepEqual(model.keyword, rangeOf(text, "model"));
  assert.deepEqual(model.range, rangeOf(text, text));
});

test("strings: escaped quotes and backslashes are resolved, other backslashes kept (Windows paths)", () => {
  assert.equal(single(String.raw`model "a\"b\\c.onnx"`, "model").path?.value, String.raw`a"b\c.onnx`);
  assert.equal(single(String.raw`model "C:\models\net.onnx"`, "model").path?.value, String.raw`C:\models\net.onnx`);
  assert.equal(single('model ""', "model").path?.value, "");
});

test("tensor declarations: direction, name, axes with sizes and kinds in either order, `_`", () => {
  const text = "output feat [batch = 2, orient: turn, xyz: point = 3, v = 3: pseudovector, _]";
  const tensor = single(text, "tensor");
  assert.equal(tensor.direction, "output");
  assert.equal(tensor.name?.text, "feat");
  assert.deepEqual(
    tensor.axes.map((axis) => [axis.name.text, axis.size?.value, axis.axisKind?.text]),
    [
      ["batch", 2, undefined],
      ["orient", undefined, "turn"],
      ["xyz", 3, "point"],
      ["v", 3, "pseudovector"],
      ["_", undefined, undefined],
    ],
  );
  assert.deepEqual(tensor.axes[2].range, rangeOf(text, "xyz: point = 3"));
  assert.deepEqual(tensor.axesRange, rangeOf(text, text.slice(text.indexOf("["))));
  assert.deepEqual(tensor.keyword, rangeOf(text, "output"));
});

test("a tensor with no axes and a quoted name", () => {
  const text = 'input "scalar.0" []';
  const tensor = single(text, "tensor");
  assert.deepEqual(tensor.name, { text: "scalar.0", quoted: true, range: rangeOf(text, '"scalar.0"') });
  assert.deepEqual(tensor.axes, []);
  assert.deepEqual(tensor.axesRange, rangeOf(text, "[]"));
});

test("symmetry: positional names, quoted names, numbers and options", () => {
  const text = 'symmetry s = translate(y, "x.1", 3, step=2, margin = 1, mode="wrap")';
  const symmetry = single(text, "symmetry");
  assert.equal(symmetry.name?.text, "s");
  assert.equal(symmetry.constructorName?.text, "translate");
  assert.deepEqual(symmetry.argsRange, rangeOf(text, text.slice(text.indexOf("("))));
  const [y, quoted, three, step, margin, mode] = symmetry.args;
  assert.equal(symmetry.args.length, 6);
  const yRange = rangeWithin(text, "(y,", "y");
  assert.deepEqual(y, { value: { text: "y", quoted: false, range: yRange }, range: yRange });
  assert.deepEqual(quoted.value, { text: "x.1", quoted: true, range: rangeOf(text, '"x.1"') });
  assert.equal(three.option, undefined);
  assert.equal((three.value as NumberLiteral).value, 3);
  assert.equal(step.option?.text, "step");
  assert.deepEqual(step.value, { value: 2, text: "2", range: rangeWithin(text, "step=2", "2") });
  assert.deepEqual(step.range, rangeOf(text, "step=2"));
  assert.equal((margin.value as NumberLiteral).value, 1);
  assert.deepEqual(margin.range, rangeOf(text, "margin = 1"));
  // An option's quoted value is a string, not a name.
  assert.deepEqual(mode.value as StringLiteral, { value: "wrap", range: rangeOf(text, '"wrap"') });
});

test("symmetry with no arguments", () => {
  const symmetry = single("symmetry s = SO()", "symmetry");
  assert.deepEqual(symmetry.args, []);
  assert.equal(symmetry.constructorName?.text, "SO");
});

test("claims: several outputs (quoted too) and symmetries, a tolerance kept as written", () => {
  const text = 'equivariant force, "out.2" under rigid, relabel within 5e-3';
  const claim = single(text, "claim");
  assert.equal(claim.claimKind, "equivariant");
  assert.deepEqual(texts(claim.outputs), ["force", "out.2"]);
  assert.equal(claim.outputs[1].quoted, true);
  assert.deepEqual(texts(claim.symmetries), ["rigid", "relabel"]);
  assert.deepEqual(claim.tolerance, { value: 5e-3, text: "5e-3", range: rangeOf(text, "5e-3") });
  assert.deepEqual(claim.range, rangeOf(text, text));
  assert.deepEqual(claim.keyword, rangeOf(text, "equivariant"));
});

test("check: an unknown setting keeps its name and values for the binder", () => {
  const text = 'check { sampels 8 dtype "float16" 2 }';
  const check = single(text, "check");
  const [sampels, dtype] = check.settings;
  assert.ok(sampels.kind === "unknown" && dtype.kind === "unknown");
  assert.equal(sampels.name.text, "sampels");
  assert.deepEqual(
    sampels.values.map((value) => value.value),
    [8],
  );
  assert.deepEqual(
    dtype.values.map((value) => value.value),
    ["float16", 2],
  );
  assert.deepEqual(dtype.range, rangeOf(text, 'dtype "float16" 2'));
  assert.deepEqual(check.bodyRange, rangeOf(text, text.slice(text.indexOf("{"))));
});

test("check: input settings with each source, and the source's range", () => {
  const text = 'check { input x ~ uniform(-1, .5) input "n.1" = -3 input img from "a.npy" input z ~ normal() }';
  const settings = single(text, "check").settings;
  assert.equal(settings.length, 4);
  const [uniform, fixed, file, normal] = settings.map((setting) => (setting.kind === "input" ? setting : assert.fail()));
  assert.equal(uniform.source?.kind, "distribution");
  assert.deepEqual(uniform.source?.range, rangeOf(text, "~ uniform(-1, .5)"));
  assert.deepEqual(
    uniform.source?.kind === "distribution" && uniform.source.args.map((arg) => arg.value),
    [-1, 0.5],
  );
  assert.deepEqual(fixed.tensor, { text: "n.1", quoted: true, range: rangeOf(text, '"n.1"') });
  assert.deepEqual(fixed.source?.kind === "fixed" && fixed.source.value, { value: -3, text: "-3", range: rangeOf(text, "-3") });
  assert.deepEqual(file.source?.kind === "file" && file.source.path.value, "a.npy");
  assert.deepEqual(normal.source?.kind === "distribution" && normal.source.args, []);
  assert.deepEqual(uniform.range, rangeOf(text, "input x ~ uniform(-1, .5)"));
});

test("numbers: integers, decimals, exponents, negatives, leading dots", () => {
  const text = "check { a 8 b 0.5 c 1e-4 d -3 e .5 f 2.5E+3 }";
  const values = single(text, "check").settings.flatMap((setting) => (setting.kind === "unknown" ? setting.values : []));
  assert.deepEqual(
    values.map((value) => [(value as NumberLiteral).text, value.value]),
    [
      ["8", 8],
      ["0.5", 0.5],
      ["1e-4", 1e-4],
      ["-3", -3],
      [".5", 0.5],
      ["2.5E+3", 2500],
    ],
  );
  assert.deepEqual(values[3].range, rangeOf(text, "-3"));
});

test("keywords are contextual: tensors, axes, symmetries and outputs may be named like keywords", () => {
  const text = `input input [batch, x]
output output [b]
input model [size, samples, seed, tolerance, from, under, within, check, symmetry, invariant, equivariant, model, input, output]
symmetry check = flip(x)
symmetry size = negate(input, output)
invariant output under check, size within 1e-3
equivariant input, model under check
check { input input ~ normal(0, 1) size size = 2 }`;
  const spec = parseClean(text);
  assert.deepEqual(
    spec.statements.map((statement) => statement.kind),
    ["tensor", "tensor", "tensor", "symmetry", "symmetry", "claim", "claim", "check"],
  );
  const [input, output, model, check, size, invariant, equivariant, block] = spec.statements;
  assert.ok(input.kind === "tensor" && output.kind === "tensor" && model.kind === "tensor");
  assert.equal(input.name?.text, "input");
  assert.equal(output.name?.text, "output");
  assert.deepEqual(texts(model.axes.map((axis) => axis.name)), [
    "size",
    "samples",
    "seed",
    "tolerance",
    "from",
    "under",
    "within",
    "check",
    "symmetry",
    "invariant",
    "equivariant",
    "model",
    "input",
    "output",
  ]);
  assert.ok(check.kind === "symmetry" && size.kind === "symmetry");
  assert.equal(check.name?.text, "check");
  assert.deepEqual(
    size.args.map((arg) => arg.value && "text" in arg.value && arg.value.text),
    ["input", "output"],
  );
  assert.ok(invariant.kind === "claim" && equivariant.kind === "claim");
  assert.deepEqual([texts(invariant.outputs), texts(invariant.symmetries)], [["output"], ["check", "size"]]);
  assert.deepEqual([texts(equivariant.outputs), texts(equivariant.symmetries)], [["input", "model"], ["check"]]);
  assert.ok(block.kind === "check");
  const [inputSetting, sizeSetting] = block.settings;
  assert.ok(inputSetting.kind === "input" && sizeSetting.kind === "size");
  assert.equal(inputSetting.tensor?.text, "input");
  assert.equal(sizeSetting.sizes[0].axis.text, "size");
});

test("a symmetry named like a statement keyword ends a claim's list only where it can", () => {
  // `input` right after `under` is a symmetry here, since `output y [b]` follows.
  const spec = parseClean("invariant a under input\noutput y [b]");
  assert.deepEqual(
    spec.statements.map((statement) => statement.kind),
    ["claim", "tensor"],
  );
  const [claim] = spec.statements;
  assert.ok(claim.kind === "claim");
  assert.deepEqual(texts(claim.symmetries), ["input"]);
});

test("newlines are not significant: one line, or a statement over several lines", () => {
  const oneLine = parseClean('model "m.onnx" input x [a, b] output y [a] symmetry s = permute(a) invariant y under s check { seed 1 }');
  assert.deepEqual(
    oneLine.statements.map((statement) => statement.kind),
    ["model", "tensor", "tensor", "symmetry", "claim", "check"],
  );
  const text = "input image [\n  batch,\n  channel\n]";
  const tensor = single(text, "tensor");
  assert.deepEqual(texts(tensor.axes.map((axis) => axis.name)), ["batch", "channel"]);
  assert.deepEqual(tensor.range, { start: { line: 0, character: 0 }, end: { line: 3, character: 1 } });
  assert.deepEqual(tensor.axes[1].range, { start: { line: 2, character: 2 }, end: { line: 2, character: 9 } });
});

test("ranges count lines after \\n, \\r\\n and \\r alike", () => {
  for (const newline of ["\n", "\r\n", "\r"]) {
    const text = ["# header", "input x [a]", "output y [b]"].join(newline);
    const spec = parseClean(text);
    const [, output] = spec.statements;
    assert.ok(output.kind === "tensor");
    assert.deepEqual(output.name?.range, { start: { line: 2, character: 7 }, end: { line: 2, character: 8 } }, JSON.stringify(newline));
  }
});

test("characters are counted in UTF-16 code units, as LSP does", () => {
  const text = 'input "ü😀" [a]';
  const tensor = single(text, "tensor");
  assert.deepEqual(tensor.name?.range, { start: { line: 0, character: 6 }, end: { line: 0, character: 11 } });
  assert.deepEqual(tensor.axes[0].name.range, { start: { line: 0, character: 13 }, end: { line: 0, character: 14 } });
});

test("comments: their ranges are collected; a `#` inside a string is not one", () => {
  const text = '# first\nmodel "a#b.onnx" # second\n  # third';
  const spec = parseClean(text);
  assert.deepEqual(spec.comments, [rangeOf(text, "# first"), rangeOf(text, "# second"), rangeOf(text, "# third")]);
  const [model] = spec.statements;
  assert.ok(model.kind === "model");
  assert.equal(model.path?.value, "a#b.onnx");
});

test("an empty text, or only comments and spaces, is an empty spec", () => {
  assert.deepEqual(parseClean(""), { statements: [], comments: [] });
  assert.deepEqual(parseClean("  \n\t# nothing\n").statements, []);
});
