/**
 * Helpers of the feature tests: one small model written once to a temp folder, specs analysed
 * in memory beside it, and `|` in a test's text marking the cursor.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { Position, Range } from "../../server/src/common/text";
import { textIn } from "../../server/src/features/sourceText";
import { ModelCache } from "../../server/src/onnx/cache";
import { analyzeSpec, type SpecAnalysis } from "../../server/src/service/analysis";
import { GraphBuilder } from "../support/onnxBuilder";

const folder = mkdtempSync(path.join(tmpdir(), "symcheck-features-"));
process.on("exit", () => rmSync(folder, { recursive: true, force: true }));

/**
 * `net.onnx`: an image classifier with a group-convolution feature map and a force field head.
 * `"input.1"` is a tensor name that is not an identifier; `N` the model's batch dimension.
 */
function writeModel(): void {
  const graph = new GraphBuilder("net");
  graph.input("image", "float", ["N", 3, 16, 16]);
  graph.input("pos", "float", ["N", 7, 3]);
  graph.input("input.1", "float", ["N", 5]);
  graph.output("logits", "float", ["N", 10]);
  graph.output("feat", "float", ["N", 4, 8, 16, 16]);
  graph.output("force", "float", ["N", 7, 3]);
  graph.node("Identity", ["pos"], ["force"]);
  writeFileSync(path.join(folder, "net.onnx"), graph.toModelBytes({ opset: 17, producerName: "pytorch" }));
}
writeModel();

export const MODEL_PATH = path.join(folder, "net.onnx");
export const SPEC_PATH = path.join(folder, "net.sym");

/** A spec that uses every kind of statement, the model above, and no diagnostics. */
export const FULL_SPEC = `model "net.onnx"
input  image  [batch, channel, y, x]
input  pos    [batch, atom, xyz: point]
output logits [batch, class]
output feat   [batch, orient: turn, hidden, y, x]
output force  [batch, atom, xyz: vector]

symmetry shift    = translate(y, x, step=2)
symmetry turn     = rotate90(y, x)
symmetry rigid    = E(xyz)
symmetry relabel  = permute(atom)
symmetry polarity = negate(image)

invariant   logits under shift, turn within 1e-3
equivariant feat under turn
equivariant force under rigid, relabel
check {
  samples 16
  size batch = 2
  input image ~ normal(0, 1)
}
`;

/** Analyses `text` as `net.sym` beside `net.onnx`. */
export function analyze(text: string): Promise<SpecAnalysis> {
  return analyzeSpec(SPEC_PATH, text, new ModelCache());
}

/**
 * The parser's and the binder's diagnostics, without the static verdicts: this fixture's model
 * computes only `force`, so its claims' verdicts say little, and they are tested elsewhere
 * (staticVerdicts.test.ts).
 */
export function specDiagnostics(analysis: SpecAnalysis): SpecAnalysis["diagnostics"] {
  return analysis.diagnostics.filter((diagnostic) => !diagnostic.code.startsWith("static."));
}

/** Analyses a text with one `|` marking the cursor; returns the analysis and the cursor's position. */
export async function analyzeAtCursor(textWithCursor: string): Promise<{ analysis: SpecAnalysis; position: Position }> {
  const { text, position } = splitCursor(textWithCursor);
  return { analysis: await analyze(text), position };
}

export function splitCursor(textWithCursor: string): { text: string; position: Position } {
  const offset = textWithCursor.indexOf("|");
  assert.ok(offset >= 0 && textWithCursor.indexOf("|", offset + 1) < 0, "the text should hold exactly one `|`");
  const before = textWithCursor.slice(0, offset);
  const line = before.split("\n").length - 1;
  return { text: before + textWithCursor.slice(offset + 1), position: { line, character: offset - (before.lastIndexOf("\n") + 1) } };
}

/** The position of the `occurrence`-th (from 0) appearance of `word` in `text`, `offset` characters into it. */
export function positionOf(text: string, word: string, occurrence = 0, offset = 0): Position {
  let index = -1;
  for (let seen = 0; seen <= occurrence; seen++) {
    index = text.indexOf(word, index + 1);
    assert.ok(index >= 0, `${JSON.stringify(word)} occurs fewer than ${occurrence + 1} times`);
  }
  const before = text.slice(0, index + offset);
  return { line: before.split("\n").length - 1, character: before.length - (before.lastIndexOf("\n") + 1) };
}

/** The text a range covers, so that tests read `"turn"` rather than line and column numbers. */
export function covered(analysis: SpecAnalysis, range: Range): string {
  return textIn(analysis.text, range);
}

/** `3:14-3:18`: a range in one short string, for exact comparisons (zero-based). */
export function rangeText(range: Range): string {
  return `${range.start.line}:${range.start.character}-${range.end.line}:${range.end.character}`;
}
