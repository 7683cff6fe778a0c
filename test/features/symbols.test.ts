/** The outline of a spec. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { SymbolKind, type DocumentSymbol } from "vscode-languageserver-types";
import { documentSymbols } from "../../server/src/features/symbols";
import { analyze, covered, FULL_SPEC, rangeText } from "./fixture";

/** `name — detail`, children indented: the outline as an editor shows it. */
function outline(symbols: DocumentSymbol[], depth = 0): string[] {
  return symbols.flatMap((symbol) => [`${"  ".repeat(depth)}${symbol.name}${symbol.detail ? ` — ${symbol.detail}` : ""}`, ...outline(symbol.children ?? [], depth + 1)]);
}

test("the outline lists the model, tensors with their axes, symmetries, claims and the check block", async () => {
  const analysis = await analyze(FULL_SPEC);
  assert.deepEqual(outline(documentSymbols(analysis)), [
    "net.onnx — model",
    "image — input float[N, 3, 16, 16]",
    "  batch — N",
    "  channel — 3",
    "  y — 16",
    "  x — 16",
    "pos — input float[N, 7, 3]",
    "  batch — N",
    "  atom — 7",
    "  xyz — 3, point",
    "logits — output float[N, 10]",
    "  batch — N",
    "  class — 10",
    "feat — output float[N, 4, 8, 16, 16]",
    "  batch — N",
    "  orient — 4, regular",
    "  hidden — 8",
    "  y — 16",
    "  x — 16",
    "force — output float[N, 7, 3]",
    "  batch — N",
    "  atom — 7",
    "  xyz — 3, vector",
    "shift — translate(y, x, step=2)",
    "turn — rotate90(y, x)",
    "rigid — E(xyz)",
    "relabel — permute(atom)",
    "polarity — negate(image)",
    "invariant logits under shift, turn — within 1e-3",
    "equivariant feat under turn",
    "equivariant force under rigid, relabel",
    "check",
    "  samples — 16",
    "  size — batch = 2",
    "  input image — ~ normal(0, 1)",
  ]);
});

test("each symbol covers its statement and selects its name", async () => {
  const analysis = await analyze(FULL_SPEC);
  const symbols = documentSymbols(analysis);
  const [model, image] = symbols;
  assert.equal(model.kind, SymbolKind.File);
  assert.equal(covered(analysis, model.range), 'model "net.onnx"');
  assert.equal(covered(analysis, model.selectionRange), '"net.onnx"');
  assert.equal(image.kind, SymbolKind.Variable);
  assert.equal(covered(analysis, image.range), "input  image  [batch, channel, y, x]");
  assert.equal(covered(analysis, image.selectionRange), "image");
  assert.equal(image.children?.[0].kind, SymbolKind.TypeParameter);
  assert.equal(rangeText(image.children![0].selectionRange), "1:15-1:20");
  const shift = symbols.find((symbol) => symbol.name === "shift")!;
  assert.equal(shift.kind, SymbolKind.Class);
  assert.equal(covered(analysis, shift.range), "symmetry shift    = translate(y, x, step=2)");
  const claim = symbols.find((symbol) => symbol.name.startsWith("invariant"))!;
  assert.equal(claim.kind, SymbolKind.Event);
  assert.equal(covered(analysis, claim.selectionRange), "invariant");
  const check = symbols[symbols.length - 1];
  assert.equal(check.kind, SymbolKind.Namespace);
  assert.equal(covered(analysis, check.range), FULL_SPEC.slice(FULL_SPEC.indexOf("check {"), -1));
  assert.equal(covered(analysis, check.children![2].range), "input image ~ normal(0, 1)");
});

test("incomplete statements still get a symbol with a name", async () => {
  const analysis = await analyze("input [a, b]\nsymmetry = flip(x)\ninvariant under\ncheck {");
  assert.deepEqual(outline(documentSymbols(analysis)), ["(unnamed) — input", "  a", "  b", "(unnamed) — flip(x)", "invariant ? under ?", "check"]);
});

test("without a model, tensors show their direction and axes their names", async () => {
  const analysis = await analyze('model "missing.onnx"\ninput image [batch, y, x]\n');
  assert.deepEqual(outline(documentSymbols(analysis)), ["missing.onnx — model", "image — input", "  batch", "  y", "  x"]);
});
