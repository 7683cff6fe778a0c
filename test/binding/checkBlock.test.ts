/** The `check { ... }` block: settings, their values and what the bound spec makes of them. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { assertClean, bindWithModel, codes, modelBytes, only, rebindWithFix, textAt } from "./fixtures";

const model = modelBytes(
  [
    ["image", ["N", 3, 16, 16]],
    ["tokens", ["N", 12], "int64"],
  ],
  [["logits", ["N", 10]]],
);
const files = { "net.onnx": model };
const DECLARATIONS = `input image [batch, channel, y, x]
input tokens [batch, token]
output logits [batch, class]
symmetry shift = translate(y, x)
invariant logits under shift
`;

function bindCheck(block: string) {
  return bindWithModel(`${DECLARATIONS}check { size batch = 2 ${block} }\n`, model);
}

test("every setting at its default when there is no check block", async () => {
  const { bound } = await bindWithModel(`${DECLARATIONS}`, model, { dynamicDimWarnings: false });
  assert.equal(bound.check.samples, 8);
  assert.equal(bound.check.seed, 0);
  assert.equal(bound.check.tolerance, undefined);
  assert.equal(bound.check.sizes.size, 0);
  assert.equal(bound.check.inputs.size, 0);
});

test("settings in the bound spec", async () => {
  const bound = await bindCheck(`samples 4 seed 7 tolerance 1e-3
  input tokens ~ integers(0, 1000)
  input image ~ normal()`);
  assertClean(bound);
  const check = bound.bound.check;
  assert.deepEqual([check.samples, check.seed, check.tolerance], [4, 7, 1e-3]);
  assert.deepEqual([...check.sizes], [["batch", 2]]);
  assert.deepEqual(check.inputs.get("tokens"), { kind: "integers", low: 0, high: 1000 });
  assert.deepEqual(check.inputs.get("image"), { kind: "normal", mean: 0, std: 1 });
  assert.deepEqual(
    bound.bound.tensors[0].axes.map((axis) => axis.size),
    [2, 3, 16, 16],
  );
});

test("fixed values and files as input sources", async () => {
  const { bound, diagnostics } = await bindCheck('input image = 0.5 input tokens from "tokens.npy"');
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(bound.check.inputs.get("image"), { kind: "fixed", value: 0.5 });
  assert.deepEqual(bound.check.inputs.get("tokens"), { kind: "file", path: "tokens.npy" });
  const uniform = await bindCheck("input image ~ uniform(-1, 1)");
  assert.deepEqual(uniform.bound.check.inputs.get("image"), { kind: "uniform", low: -1, high: 1 });
});

test("an unknown setting: suggested, with a fix", async () => {
  const bound = await bindCheck("sample 4");
  const unknown = only(bound, "bind.unknown-setting");
  assert.equal(unknown.message, "unknown setting `sample`; the settings are samples, seed, tolerance, size and input; did you mean `samples`?");
  assert.equal(textAt(bound.text, unknown.range), "sample");
  assertClean(await rebindWithFix(bound, unknown, files));
});

test("a setting given twice: the first counts", async () => {
  const bound = await bindCheck("samples 4 samples 9");
  const repeated = only(bound, "bind.duplicate-setting");
  assert.equal(repeated.message, "samples is already set on line 6; set it once");
  assert.equal(repeated.range.start.character, bound.text.split("\n")[5].lastIndexOf("samples"));
  assert.equal(bound.bound.check.samples, 4);
  const inputs = await bindCheck("input image ~ normal(0, 1) input image ~ uniform(0, 1)");
  assert.equal(only(inputs, "bind.duplicate-setting").message, "input image is already set on line 6; set it once");
  const sizes = await bindCheck("size batch = 3");
  assert.equal(only(sizes, "bind.duplicate-setting").message, "the size of batch is already set on line 6; set it once");
  assert.equal(sizes.bound.check.sizes.get("batch"), 2);
});

test("values out of range", async () => {
  const cases: [string, string, string][] = [
    ["samples 0", "0", "samples is a whole number of at least 1, not 0"],
    ["samples 2.5", "2.5", "samples is a whole number of at least 1, not 2.5"],
    ["seed -1", "-1", "seed is a whole number of at least 0, not -1"],
    ["size y = 0", "0", "a size is a whole number of at least 1, not 0"],
  ];
  for (const [setting, at, message] of cases) {
    const bound = await bindCheck(setting);
    const bad = only(bound, "bind.bad-setting-value");
    assert.equal(bad.message, message);
    assert.equal(textAt(bound.text, bad.range), at);
  }
  const tolerance = await bindCheck("tolerance 0");
  assert.deepEqual(codes(tolerance), ["bind.bad-tolerance"]);
  assert.equal(tolerance.bound.check.tolerance, undefined, "a bad value is left out");
});

test("a size for an axis no tensor declares: suggested", async () => {
  const bound = await bindWithModel(`${DECLARATIONS}check { size bach = 2 }\n`, model);
  const unknown = only(bound, "bind.size-unknown-axis");
  assert.equal(unknown.message, "no tensor declares an axis `bach`; declared axes are batch, channel, y, x, token and class; did you mean `batch`?");
  assertClean(await rebindWithFix(bound, unknown, files));
});

test("a size that contradicts a static dim, with a fix to the model's size", async () => {
  const bound = await bindCheck("size y = 32");
  const mismatch = only(bound, "bind.size-mismatch");
  assert.equal(mismatch.message, "y is 16 on image (static in the model), not 32; `size` is for dynamic dims");
  assert.equal(textAt(bound.text, mismatch.range), "32");
  assertClean(await rebindWithFix(bound, mismatch, files));
});

test("an input setting naming no model input: suggested; an output is not an input", async () => {
  const misspelt = await bindCheck("input imag ~ normal(0, 1)");
  const unknown = only(misspelt, "bind.check-unknown-input");
  assert.equal(unknown.message, "the model has no input `imag`; its inputs are `image` and `tokens`; did you mean `image`?");
  assertClean(await rebindWithFix(misspelt, unknown, files));
  const output = await bindCheck("input logits ~ normal(0, 1)");
  assert.equal(only(output, "bind.check-unknown-input").message, "logits is an output; `input` settings say how the model's inputs are drawn");
});

test("distributions: unknown names suggested, parameter counts and values checked", async () => {
  const misspelt = await bindCheck("input image ~ normall(0, 1)");
  const unknown = only(misspelt, "bind.unknown-distribution");
  assert.equal(unknown.message, "unknown distribution `normall`; the distributions are normal, uniform and integers; did you mean `normal`?");
  assertClean(await rebindWithFix(misspelt, unknown, files));

  const cases: [string, string, string][] = [
    ["input image ~ uniform(1)", "bind.distribution-arguments", "uniform takes 2 parameters (lo and hi), or none for (0, 1); 1 is given"],
    ["input tokens ~ integers()", "bind.distribution-arguments", "integers takes 2 parameters (lo and hi); 0 are given"],
    ["input image ~ normal(0, 0)", "bind.bad-distribution", "the std of normal(mean, std) must be greater than 0, not 0"],
    ["input image ~ uniform(2, 1)", "bind.bad-distribution", "uniform(lo, hi) draws between lo and hi, so lo must be less than hi, but 2 >= 1"],
    ["input tokens ~ integers(5, 5)", "bind.bad-distribution", "integers(lo, hi) draws lo to hi - 1, so lo must be less than hi, but 5 >= 5"],
    ["input tokens ~ integers(0, 2.5)", "bind.bad-distribution", "integers(lo, hi) takes whole numbers, not 2.5"],
  ];
  for (const [setting, code, message] of cases) {
    const bound = await bindCheck(setting);
    assert.equal(only(bound, code).message, message, setting);
    assert.equal(bound.bound.check.inputs.size, 0, `${setting} is left out`);
  }
});

test("a second check block is an error", async () => {
  const bound = await bindWithModel(`${DECLARATIONS}check { size batch = 2 }\ncheck { samples 3 }\n`, model);
  const second = only(bound, "bind.duplicate-check");
  assert.equal(second.message, "a spec has one check block, and it is on line 6; move these settings there");
  assert.equal(textAt(bound.text, second.range), "check");
  assert.equal(bound.bound.check.samples, 8);
});
