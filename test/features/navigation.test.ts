/** Go to definition, find references and rename of symmetries, axes and tensors. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import type { Location, WorkspaceEdit } from "vscode-languageserver-types";
import { definition, prepareRename, references, rename } from "../../server/src/features/navigation";
import type { SpecAnalysis } from "../../server/src/service/analysis";
import { analyze, FULL_SPEC, positionOf, rangeText, SPEC_PATH, specDiagnostics } from "./fixture";

const URI = pathToFileURL(SPEC_PATH).href;

/** `line:start-line:end` of each location, after checking they are all in the spec. */
function where(locations: Location[]): string[] {
  for (const location of locations) assert.equal(location.uri, URI);
  return locations.map((location) => rangeText(location.range));
}

function at(analysis: SpecAnalysis, word: string, occurrence = 0) {
  return positionOf(analysis.text, word, occurrence, 1);
}

/** The spec's text after applying a rename's edits. */
function applied(analysis: SpecAnalysis, edit: WorkspaceEdit | { error: string }): string {
  assert.ok(!("error" in edit), `rename refused: ${"error" in edit ? edit.error : ""}`);
  const edits = edit.changes?.[URI] ?? [];
  const lines = analysis.text.split("\n");
  const sorted = [...edits].sort((a, b) => b.range.start.line - a.range.start.line || b.range.start.character - a.range.start.character);
  for (const { range, newText } of sorted) {
    assert.equal(range.start.line, range.end.line, "names are on one line");
    const line = lines[range.start.line];
    lines[range.start.line] = line.slice(0, range.start.character) + newText + line.slice(range.end.character);
  }
  return lines.join("\n");
}

test("definition of a symmetry: its declaration, from a claim, an axis kind or the declaration itself", async () => {
  const analysis = await analyze(FULL_SPEC);
  const declaration = ["8:9-8:13"];
  assert.deepEqual(where(definition(analysis, at(analysis, "turn", 3))), declaration, "from a claim");
  assert.deepEqual(where(definition(analysis, at(analysis, "turn", 0))), declaration, "from `orient: turn`");
  assert.deepEqual(where(definition(analysis, at(analysis, "turn", 1))), declaration, "from itself");
});

test("definition of an axis: every tensor that declares it", async () => {
  const analysis = await analyze(FULL_SPEC);
  assert.deepEqual(where(definition(analysis, at(analysis, "xyz", 2))), ["2:28-2:31", "5:28-5:31"], "from E(xyz)");
  assert.deepEqual(where(definition(analysis, at(analysis, "batch = 2"))), ["1:15-1:20", "2:15-2:20", "3:15-3:20", "4:15-4:20", "5:15-5:20"], "from a size setting");
});

test("definition of a tensor name: its declaration, in the direction the context says", async () => {
  const analysis = await analyze(FULL_SPEC);
  assert.deepEqual(where(definition(analysis, at(analysis, "logits", 1))), ["3:7-3:13"], "from a claim");
  assert.deepEqual(where(definition(analysis, at(analysis, "image", 1))), ["1:7-1:12"], "from negate(image)");
  assert.deepEqual(where(definition(analysis, at(analysis, "image", 2))), ["1:7-1:12"], "from a check input");
});

test("no definition away from names", async () => {
  const analysis = await analyze(FULL_SPEC);
  assert.deepEqual(definition(analysis, at(analysis, "translate")), []);
  assert.deepEqual(definition(analysis, { line: 6, character: 0 }), []);
});

test("references of a symmetry, with and without its declaration", async () => {
  const analysis = await analyze(FULL_SPEC);
  assert.deepEqual(where(references(analysis, at(analysis, "turn", 1), true)), ["4:30-4:34", "8:9-8:13", "13:32-13:36", "14:23-14:27"]);
  assert.deepEqual(where(references(analysis, at(analysis, "turn", 1), false)), ["4:30-4:34", "13:32-13:36", "14:23-14:27"]);
});

test("references of an axis: tensor declarations, constructor arguments and size settings", async () => {
  const analysis = await analyze(FULL_SPEC);
  assert.deepEqual(where(references(analysis, at(analysis, "y", 0), true)), ["1:31-1:32", "4:44-4:45", "7:30-7:31", "8:29-8:30"]);
  assert.deepEqual(where(references(analysis, at(analysis, "batch", 5), false)), ["18:7-18:12"]);
});

test("rename a symmetry everywhere, its use as an axis kind included", async () => {
  const analysis = await analyze(FULL_SPEC);
  assert.deepEqual(prepareRename(analysis, at(analysis, "turn", 3)), { range: { start: { line: 14, character: 23 }, end: { line: 14, character: 27 } }, placeholder: "turn" });
  const renamed = applied(analysis, rename(analysis, at(analysis, "turn", 3), "quarter"));
  assert.deepEqual(renamed.split("\n").filter((line) => line.includes("quarter")), [
    "output feat   [batch, orient: quarter, hidden, y, x]",
    "symmetry quarter     = rotate90(y, x)",
    "invariant   logits under shift, quarter within 1e-3",
    "equivariant feat under quarter",
  ]);
  const reanalysed = await analyze(renamed);
  assert.deepEqual(specDiagnostics(reanalysed), [], "the renamed spec means the same");
});

test("rename an axis everywhere", async () => {
  const analysis = await analyze(FULL_SPEC);
  const renamed = applied(analysis, rename(analysis, at(analysis, "batch = 2"), "n"));
  assert.equal(renamed.match(/\bn\b/g)?.length, 6);
  assert.equal(renamed.includes("batch"), false);
  assert.deepEqual(specDiagnostics(await analyze(renamed)), []);
});

test("rename refuses tensor names: they are the model's", async () => {
  const analysis = await analyze(FULL_SPEC);
  const refusal = { error: "`logits` is the model's name for the tensor: rename it in the ONNX model, not in the spec." };
  assert.deepEqual(prepareRename(analysis, at(analysis, "logits", 1)), refusal);
  assert.deepEqual(rename(analysis, at(analysis, "logits", 1), "scores"), refusal);
});

test("rename refuses names that are not identifiers, and `_`", async () => {
  const analysis = await analyze(FULL_SPEC);
  const position = at(analysis, "shift");
  assert.deepEqual(rename(analysis, position, "2x"), { error: "`2x` is not a name: use letters, digits and `_`, not starting with a digit." });
  assert.deepEqual(rename(analysis, position, "a b"), { error: "`a b` is not a name: use letters, digits and `_`, not starting with a digit." });
  assert.deepEqual(rename(analysis, at(analysis, "hidden"), "_"), { error: "`_` marks an axis that no group acts on: it cannot be a name." });
});

test("rename accepts keywords as names (the parser reads them by position), but not axis kinds for symmetries", async () => {
  const analysis = await analyze(FULL_SPEC);
  const renamed = applied(analysis, rename(analysis, at(analysis, "turn", 3), "under"));
  assert.match(renamed, /\ninvariant {3}logits under shift, under within 1e-3\n/);
  assert.deepEqual(specDiagnostics(await analyze(renamed)), []);
  assert.deepEqual(rename(analysis, at(analysis, "turn", 3), "point"), {
    error: "`point` is an axis kind: `orient: point` would name the kind, not the symmetry.",
  });
});

test("rename refuses a name that another symmetry has", async () => {
  const analysis = await analyze(FULL_SPEC);
  assert.deepEqual(rename(analysis, at(analysis, "shift"), "rigid"), { error: "A symmetry named `rigid` already exists." });
});

test("rename refuses an axis name that would merge two axes", async () => {
  const analysis = await analyze(FULL_SPEC);
  assert.deepEqual(rename(analysis, at(analysis, "x]"), "y"), {
    error: "`image` already has an axis named `y`: renaming `x` would make them one axis.",
  });
  assert.deepEqual(rename(analysis, at(analysis, "hidden"), "atom"), {
    error: "An axis named `atom` already exists: renaming `hidden` to it would make them one axis.",
  });
});

test("nothing to rename away from a symmetry or an axis", async () => {
  const analysis = await analyze(FULL_SPEC);
  assert.equal(prepareRename(analysis, at(analysis, "translate")), undefined);
  assert.deepEqual(rename(analysis, at(analysis, "translate"), "shift2"), { error: "Only symmetry and axis names can be renamed: place the cursor on one." });
});
