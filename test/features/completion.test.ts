/** Completion in each context of the language, on complete and incomplete text. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { InsertTextFormat, type CompletionItem, type MarkupContent } from "vscode-languageserver-types";
import { complete } from "../../server/src/features/completion";
import { analyzeAtCursor, rangeText } from "./fixture";

/** A spec whose declarations the contexts below complete from. */
const DECLARED = `model "net.onnx"
input  image [batch, channel, y, x]
output feat  [batch, orient: turn, hidden, y, x]
symmetry shift = translate(y, x)
symmetry turn  = rotate90(y, x)
`;

async function completeAt(textWithCursor: string): Promise<CompletionItem[]> {
  const { analysis, position } = await analyzeAtCursor(textWithCursor);
  return complete(analysis, position);
}

/** Labels in the order an editor shows them (by sortText, else by label). */
function shown(items: CompletionItem[]): string[] {
  return [...items].sort((a, b) => (a.sortText ?? a.label).localeCompare(b.sortText ?? b.label)).map((item) => item.label);
}

function labels(items: CompletionItem[]): string[] {
  return items.map((item) => item.label);
}

function item(items: CompletionItem[], label: string): CompletionItem {
  const found = items.find((candidate) => candidate.label === label);
  assert.ok(found, `no item ${label} among ${labels(items).join(", ")}`);
  return found;
}

/** What accepting the item inserts. */
function newText(candidate: CompletionItem): string {
  assert.ok(candidate.textEdit && "range" in candidate.textEdit, "items carry a text edit");
  return candidate.textEdit.newText;
}

function editRange(candidate: CompletionItem): string {
  assert.ok(candidate.textEdit && "range" in candidate.textEdit);
  return rangeText(candidate.textEdit.range);
}

test("at a statement's start: the statement keywords, as snippets", async () => {
  const items = await completeAt("|");
  assert.deepEqual(labels(items), ["model", "input", "output", "symmetry", "invariant", "equivariant", "check"]);
  assert.equal(newText(item(items, "input")), "input ${1:name} [${2:axes}]");
  assert.equal(newText(item(items, "check")), "check {\n\t$0\n}");
  assert.equal(item(items, "input").insertTextFormat, InsertTextFormat.Snippet);
  assert.equal(item(items, "symmetry").detail, "Declares a group and how it acts: `symmetry NAME = CONSTRUCTOR(ARGS)`.");
});

test("a keyword being typed is replaced; `model` is not offered twice", async () => {
  const items = await completeAt(DECLARED + "inv|");
  assert.deepEqual(labels(items), ["input", "output", "symmetry", "invariant", "equivariant", "check"]);
  assert.equal(editRange(item(items, "invariant")), "5:0-5:3", "the range of `inv`");
});

test("after `input`: the model's inputs not declared yet, quoted where needed, with their axis lists", async () => {
  const items = await completeAt(DECLARED + "input |");
  assert.deepEqual(labels(items), ["pos", "input.1"]);
  assert.equal(newText(item(items, "pos")), "pos [${1:_}, ${2:_}, ${3:_}]");
  assert.equal(newText(item(items, "input.1")), '"input.1" [${1:_}, ${2:_}]');
  assert.equal(item(items, "input.1").detail, "float[N, 5]");
  assert.equal(editRange(item(items, "pos")), "5:6-5:6");
});

test("after `output`: the model's outputs; no axis list when one follows already", async () => {
  const items = await completeAt("output lo| [batch, class]");
  assert.deepEqual(labels(items), ["logits", "feat", "force"]);
  assert.equal(newText(item(items, "logits")), "logits");
  assert.equal(editRange(item(items, "logits")), "0:7-0:9");
});

test("a quoted name being typed is replaced with its quotes, the closing one included", async () => {
  const items = await completeAt('input "inp|"');
  const quoted = item(items, "input.1");
  assert.equal(editRange(quoted), "0:6-0:11");
  assert.equal(quoted.filterText, '"input.1"');
  assert.equal(editRange(item(await completeAt('input "|"'), "input.1")), "0:6-0:8", "right after the opening quote");
  assert.equal(editRange(item(await completeAt('input "inp|'), "input.1")), "0:6-0:10", "no closing quote yet");
});

test("after a tensor's name: its axis list with one entry per dimension", async () => {
  const items = await completeAt("input pos |");
  assert.deepEqual(labels(items), ["[_, _, _]"]);
  assert.equal(newText(items[0]), "[${1:_}, ${2:_}, ${3:_}]");
});

test("in an axis list: declared axes, those on the same model dimension first, then the model's name, then `_`", async () => {
  const first = await completeAt(DECLARED + "input pos [|");
  assert.deepEqual(shown(first), ["batch", "N", "channel", "hidden", "orient", "x", "y", "_"]);
  assert.equal(item(first, "N").detail, "the model's name for this dimension");
  assert.equal(item(first, "hidden").detail, "size 8");
  const second = await completeAt(DECLARED + "output force [batch, |");
  assert.deepEqual(shown(second), ["batch", "channel", "hidden", "orient", "x", "y", "_"]);
});

test("after `:` in an axis list: the axis kinds and the finite symmetries", async () => {
  const items = await completeAt(DECLARED + "input pos [batch, atom, xyz: |");
  assert.deepEqual(shown(items), ["point", "pseudovector", "vector", "turn"]);
  assert.equal(item(items, "turn").detail, "one entry per element of rotate90: size 4");
  assert.equal((item(items, "point").documentation as MarkupContent).value, "Rotated and translated: positions.");
  assert.deepEqual(await completeAt(DECLARED + "input pos [batch = |"), [], "nothing to offer for a size");
});

test("after `symmetry NAME =`: the constructors, with snippets and documentation", async () => {
  const items = await completeAt("symmetry s = |");
  assert.deepEqual(labels(items), ["translate", "flip", "rotate90", "dihedral", "permute", "SO", "O", "SE", "E", "negate", "scale"]);
  const rotate = item(items, "rotate90");
  assert.equal(newText(rotate), "rotate90(${1:y}, ${2:x})");
  assert.equal(rotate.detail, "quarter turns in a plane");
  assert.match((rotate.documentation as MarkupContent).value, /^Quarter turns in the \(a, b\) plane/);
  assert.equal(newText(item(await completeAt("symmetry s = rot|(y, x)"), "rotate90")), "rotate90", "the parentheses are there already");
  assert.deepEqual(await completeAt("symmetry |"), [], "a new name is the user's to choose");
});

test("inside a constructor's parentheses: the axes not listed yet and the options", async () => {
  const items = await completeAt(DECLARED + "symmetry s = translate(y, |");
  assert.deepEqual(shown(items), ["batch", "channel", "hidden", "orient", "x", "margin=", "step="]);
  assert.equal(newText(item(items, "step=")), "step=${1:1}");
  const afterStep = await completeAt(DECLARED + "symmetry s = translate(y, step=2, |");
  assert.deepEqual(labels(afterStep).filter((label) => label.endsWith("=")), ["margin="]);
  assert.deepEqual(await completeAt(DECLARED + "symmetry s = translate(y, step=|"), [], "an option's value is a number");
});

test("inside negate or scale: the declared tensors", async () => {
  const items = await completeAt('input "input.1" [batch, feature]\noutput logits [batch, class]\nsymmetry s = negate(|');
  assert.deepEqual(labels(items), ["input.1", "logits"]);
  assert.equal(newText(item(items, "input.1")), '"input.1"');
  assert.equal(item(items, "logits").detail, "output float[N, 10]");
});

test("after `invariant` or `equivariant`: the declared outputs not listed yet", async () => {
  const spec = "output logits [batch, class]\noutput force [batch, atom, xyz]\nsymmetry relabel = permute(atom)\n";
  assert.deepEqual(labels(await completeAt(spec + "invariant |")), ["logits", "force"]);
  assert.deepEqual(labels(await completeAt(spec + "equivariant logits, f|")), ["force"]);
  const under = await completeAt(spec + "invariant logits |");
  assert.deepEqual(labels(under), ["under"]);
  assert.equal(newText(under[0]), "under ${1:symmetry}");
});

test("after `under`: the declared symmetries; after one, `within` and the next statement", async () => {
  assert.deepEqual(labels(await completeAt(DECLARED + "invariant feat under |")), ["shift", "turn"]);
  const second = await completeAt(DECLARED + "invariant feat under turn, |");
  assert.deepEqual(labels(second), ["shift"]);
  assert.equal(second[0].detail, "translate: cyclic shifts along the axes");
  const after = await completeAt(DECLARED + "invariant feat under turn |");
  assert.deepEqual(labels(after), ["within", "input", "output", "symmetry", "invariant", "equivariant", "check"]);
  assert.deepEqual(await completeAt(DECLARED + "invariant feat under turn within |"), [], "a tolerance is a number");
});

test("inside `check { }`: the settings, as snippets", async () => {
  const items = await completeAt(DECLARED + "check {\n  samples 8\n  |\n}");
  assert.deepEqual(labels(items), ["samples", "seed", "tolerance", "size", "input"]);
  assert.equal(newText(item(items, "size")), "size ${1:batch} = ${2:2}");
  assert.match((item(items, "tolerance").documentation as MarkupContent).value, /^Default relative tolerance of claims/);
  assert.deepEqual(await completeAt(DECLARED + "check { samples |"), [], "a setting's value is a number");
});

test("after `size`: the axes not sized yet, dynamic ones first", async () => {
  const items = await completeAt(DECLARED + "check { size y = 8, |");
  assert.deepEqual(shown(items), ["batch", "channel", "hidden", "orient", "x"]);
  assert.equal(item(items, "batch").detail, "dynamic in the model");
  assert.equal(newText(item(items, "batch")), "batch = ${1:2}");
});

test("after `input` in a check block: the model's inputs; after `~`: the distributions", async () => {
  const inputs = await completeAt(DECLARED + "check { input |");
  assert.deepEqual(labels(inputs), ["image", "pos", "input.1"]);
  assert.equal(newText(item(inputs, "input.1")), '"input.1"');
  const distributions = await completeAt(DECLARED + "check { input image ~ |");
  assert.deepEqual(labels(distributions), ["normal", "uniform", "integers"]);
  assert.equal(newText(item(distributions, "normal")), "normal(${1:0}, ${2:1})");
  assert.equal(newText(item(distributions, "integers")), "integers(${1:lo}, ${2:hi})");
  const next = await completeAt(DECLARED + "check {\n  input image ~ uniform(-1, 1)\n  s|");
  assert.deepEqual(labels(next), ["samples", "seed", "tolerance", "size", "input"]);
});

test("after a check block, statements again", async () => {
  assert.deepEqual(labels(await completeAt(DECLARED + "check { samples 8 }\n|")), ["input", "output", "symmetry", "invariant", "equivariant", "check"]);
});

test("incomplete text: an unclosed axis list does not swallow the next statement", async () => {
  const items = await completeAt("input image [batch, channel\noutput |");
  assert.deepEqual(labels(items), ["logits", "feat", "force"]);
});

test("without a model, names come from the spec alone", async () => {
  const spec = 'model "missing.onnx"\ninput image [batch, y, x]\n';
  assert.deepEqual(await completeAt(spec + "input |"), [], "the model's tensors are unknown");
  assert.deepEqual(labels(await completeAt(spec + "check { input |")), ["image"]);
  assert.deepEqual(shown(await completeAt(spec + "symmetry s = flip(|")), ["batch", "x", "y"]);
});

test("nothing in comments, in numbers or in a model path", async () => {
  assert.deepEqual(await completeAt(DECLARED + "# input |"), []);
  assert.deepEqual(await completeAt(DECLARED + "check { samples 1|"), []);
  assert.deepEqual(await completeAt('model "ne|'), []);
});
