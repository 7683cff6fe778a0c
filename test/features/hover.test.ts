/** Hover: what each kind of word shows, and over which range. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { MarkupContent } from "vscode-languageserver-types";
import { hover } from "../../server/src/features/hover";
import type { SpecAnalysis } from "../../server/src/service/analysis";
import { analyze, covered, FULL_SPEC, MODEL_PATH, positionOf } from "./fixture";

/** The hover at the `occurrence`-th `word` (one character into it): the word it covers and its Markdown. */
function hoverOn(analysis: SpecAnalysis, word: string, occurrence = 0): { word: string; markdown: string } | undefined {
  const result = hover(analysis, positionOf(analysis.text, word, occurrence, 1));
  if (!result) return undefined;
  assert.ok(result.range, "a hover names the range it explains");
  return { word: covered(analysis, result.range), markdown: (result.contents as MarkupContent).value };
}

test("a declared tensor shows its model type axis by axis and the symmetries acting on it", async () => {
  const analysis = await analyze(FULL_SPEC);
  assert.deepEqual(hoverOn(analysis, "image"), {
    word: "image",
    markdown: [
      "**input** `image`: `float[N, 3, 16, 16]`",
      "",
      "- `batch` = model dim `N`, dynamic (2 in numeric checks)",
      "- `channel` = 3",
      "- `y` = 16",
      "- `x` = 16",
      "",
      "Symmetries:",
      "- `shift` shifts y (axis 2) and x (axis 3) cyclically by multiples of 2",
      "- `turn` turns y (axis 2) and x (axis 3) by quarter turns (y towards x)",
      "- `polarity` negates the whole tensor",
    ].join("\n"),
  });
});

test("a tensor named in a claim shows the declared output, kinds included", async () => {
  const analysis = await analyze(FULL_SPEC);
  assert.deepEqual(hoverOn(analysis, "force", 1), {
    word: "force",
    markdown: [
      "**output** `force`: `float[N, 7, 3]`",
      "",
      "- `batch` = model dim `N`, dynamic (2 in numeric checks)",
      "- `atom` = 7",
      "- `xyz` = 3, vector",
      "",
      "Symmetries:",
      "- `rigid` rotates xyz (axis 2) as a vector: rotation and reflection",
      "- `relabel` permutes atom (axis 1)",
    ].join("\n"),
  });
  assert.equal(hoverOn(analysis, "logits", 1)?.markdown.split("\n").at(-1), "No declared symmetry acts on it.");
});

test("a check input that the spec does not declare shows the model's type", async () => {
  const analysis = await analyze('input image [batch, channel, y, x]\ncheck { input "input.1" ~ normal(0, 1) }\n');
  assert.deepEqual(hoverOn(analysis, '"input.1"'), { word: '"input.1"', markdown: "**input** `input.1`: `float[N, 5]`, not declared in the spec." });
});

test("a tensor says so when the model is not loaded", async () => {
  const analysis = await analyze('model "missing.onnx"\noutput logits [batch, class]\n');
  assert.deepEqual(hoverOn(analysis, "logits"), { word: "logits", markdown: "**output** `logits`: the model is not loaded." });
});

test("an axis shows its size and kind on each tensor and the symmetries acting on it", async () => {
  const analysis = await analyze(FULL_SPEC);
  const xyz = ["**axis** `xyz`", "", "- on `pos` (input): 3, point (axis 2)", "- on `force` (output): 3, vector (axis 2)", "", "Acted on by `rigid` (E)."].join("\n");
  assert.deepEqual(hoverOn(analysis, "xyz"), { word: "xyz", markdown: xyz });
  assert.deepEqual(hoverOn(analysis, "xyz", 2), { word: "xyz", markdown: xyz }, "in a constructor's arguments, the same axis");
  assert.deepEqual(hoverOn(analysis, "orient"), {
    word: "orient",
    markdown: ["**axis** `orient`", "", "- on `feat` (output): 4, the regular representation of `turn` (axis 1)", "", "Acted on by `turn` (rotate90)."].join("\n"),
  });
  const batch = hoverOn(analysis, "batch", 5);
  assert.equal(batch?.word, "batch", "in a size setting");
  assert.match(batch?.markdown ?? "", /- on `logits` \(output\): model dim `N`, dynamic \(2 in numeric checks\) \(axis 0\)/);
  assert.match(batch?.markdown ?? "", /No declared symmetry acts on it\.$/);
});

test("an axis repeated on one tensor lists both positions", async () => {
  const analysis = await analyze("input image [batch, channel, y, y]\nsymmetry relabel = permute(y)\n");
  assert.match(hoverOn(analysis, "y")?.markdown ?? "", /\n- on `image` \(input\): 16 \(axes 2 and 3\)\n/);
});

test("a symmetry shows its group and how it acts on each declared tensor", async () => {
  const analysis = await analyze(FULL_SPEC);
  const turn = [
    "**symmetry** `turn` = `rotate90(y, x)`: quarter turns in a plane",
    "",
    "- `image` (input): turns y (axis 2) and x (axis 3) by quarter turns (y towards x)",
    "- `feat` (output): turns y (axis 3) and x (axis 4) by quarter turns (y towards x); shifts orient (axis 1) cyclically: the regular representation of turn",
    "",
    "Leaves `pos`, `logits`, `force` unchanged.",
  ].join("\n");
  assert.deepEqual(hoverOn(analysis, "turn", 1), { word: "turn", markdown: turn }, "at its declaration");
  assert.deepEqual(hoverOn(analysis, "turn", 0), { word: "turn", markdown: turn }, "as an axis kind");
  // In a claim, the pair's static verdict comes first (test/features/staticVerdicts.test.ts).
  assert.equal(hoverOn(analysis, "turn", 3)?.markdown.split("\n\n---\n\n").at(-1), turn, "in a claim, after the verdict");
});

test("a symmetry the binder rejected still shows what was written", async () => {
  const analysis = await analyze("input image [batch, channel, y, x]\nsymmetry odd = translate(nowhere)\n");
  assert.equal(hoverOn(analysis, "odd")?.markdown, "**symmetry** `odd` = `translate(nowhere)`: cyclic shifts along the axes");
});

test("constructors, options, axis kinds, settings and distributions show their documentation", async () => {
  const analysis = await analyze(FULL_SPEC);
  assert.deepEqual(hoverOn(analysis, "rotate90"), {
    word: "rotate90",
    markdown:
      "**rotate90** (group): quarter turns in a plane\n\nQuarter turns in the (a, b) plane, turning a towards b, as `numpy.rot90(x, k, axes=(a, b))`. Both axes must have the same size.",
  });
  assert.match(hoverOn(analysis, "translate")?.markdown ?? "", /\n- `step=`: Shift only by multiples of `step` \(for strided networks\)\.\n- `margin=`: /);
  assert.deepEqual(hoverOn(analysis, "step"), { word: "step", markdown: "**step** (option of `translate`): Shift only by multiples of `step` (for strided networks)." });
  assert.deepEqual(hoverOn(analysis, "point"), { word: "point", markdown: "**point** (axis kind): Rotated and translated: positions." });
  assert.deepEqual(hoverOn(analysis, "samples"), {
    word: "samples",
    markdown: "**samples** (check setting): (input, group element) pairs per claim and symmetry. Default 8.",
  });
  assert.deepEqual(hoverOn(analysis, "normal"), { word: "normal", markdown: "**normal**(mean, std): how a check draws this input; defaults 0 and 1." });
});

test("keywords show one line on their meaning", async () => {
  const analysis = await analyze(FULL_SPEC);
  const equivariant = hoverOn(analysis, "equivariant");
  assert.equal(equivariant?.word, "equivariant");
  // After the static verdicts of the claim (test/features/staticVerdicts.test.ts).
  assert.equal(
    equivariant?.markdown.split("\n\n---\n\n").at(-1),
    "**equivariant**: Claims f(g·x) = g·f(x): each listed output transforms as its declared axes (or the value group) say.",
  );
  assert.deepEqual(hoverOn(analysis, "under"), { word: "under", markdown: "**under**: The symmetries a claim is checked under, each separately." });
  assert.equal(hoverOn(analysis, "within")?.word, "within");
  assert.equal(hoverOn(analysis, "check")?.markdown.startsWith("**check**: Settings of the numeric checks"), true);
  const withFile = await analyze('input image [batch, channel, y, x]\ncheck { input image from "digits.npy" }\n');
  assert.deepEqual(hoverOn(withFile, "from"), {
    word: "from",
    markdown: "**from**: Draws the input's samples from a NumPy `.npy` file (relative to the spec) whose first axis indexes samples, cycling through its rows.",
  });
});

test("a keyword's spelling in a comment or a name is not the keyword", async () => {
  const analysis = await analyze("# checked under turn\ninput under [batch]\n");
  assert.equal(hoverOn(analysis, "under"), undefined, "in a comment");
  assert.equal(hoverOn(analysis, "under", 1)?.markdown, "**input** `under`: the model has no input of this name.");
});

test("`model` shows the resolved path, the producer, the opset and the node count", async () => {
  const analysis = await analyze(FULL_SPEC);
  const expected = `**model** \`${MODEL_PATH}\`\n\npytorch 1 · opset 17 · 1 node\n3 inputs, 3 outputs`;
  assert.deepEqual(hoverOn(analysis, "model"), { word: "model", markdown: expected });
  assert.deepEqual(hoverOn(analysis, '"net.onnx"'), { word: '"net.onnx"', markdown: expected });
});

test("`model` naming a missing file shows why it did not load", async () => {
  const analysis = await analyze('model "missing.onnx"\n');
  const shown = hoverOn(analysis, "model");
  assert.equal(shown?.word, "model");
  assert.match(shown?.markdown ?? "", /^\*\*model\*\* `.*missing\.onnx`\n\n.*missing\.onnx/);
});

test("nothing to show between words or in comments", async () => {
  const analysis = await analyze(FULL_SPEC + "# a comment about image\n");
  assert.equal(hover(analysis, { line: 6, character: 0 }), undefined, "on an empty line");
  assert.equal(hoverOn(analysis, "image", 3), undefined, "in a comment");
  assert.equal(hover(analysis, positionOf(analysis.text, "= translate", 0, 0)), undefined, "on `=`");
});
