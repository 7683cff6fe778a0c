/**
 * Helpers of the binding tests: write a spec and its model to a fresh temp folder, bind them
 * the way the analysis does, and look at diagnostics by the text their ranges cover.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { bindSpec, type BindOptions } from "../../server/src/binding/bind";
import type { BindResult } from "../../server/src/binding/bound";
import { resolveModelPath } from "../../server/src/binding/modelPath";
import type { Fix, SpecDiagnostic } from "../../server/src/common/diagnostic";
import type { Range } from "../../server/src/common/text";
import { parseSpec } from "../../server/src/dsl/parse";
import { ModelCache } from "../../server/src/onnx/cache";
import { GraphBuilder, type DimSpec } from "../support/onnxBuilder";

/** Every test's folder lives under one root, removed when the test process ends. */
const root = mkdtempSync(path.join(tmpdir(), "symcheck-bind-"));
process.on("exit", () => rmSync(root, { recursive: true, force: true }));

export type ValueSpec = [name: string, shape: DimSpec[] | undefined, elementType?: string];

/** A model with these inputs and outputs (no nodes: binding reads only the graph's signature). */
export function modelBytes(inputs: ValueSpec[], outputs: ValueSpec[], configure?: (graph: GraphBuilder) => void): Uint8Array {
  const graph = new GraphBuilder("test");
  for (const [name, shape, type = "float"] of inputs) graph.input(name, type, shape);
  for (const [name, shape, type = "float"] of outputs) graph.output(name, type, shape);
  configure?.(graph);
  return graph.toModelBytes();
}

export interface Bound extends BindResult {
  text: string;
  folder: string;
  specPath: string;
}

/**
 * Binds `text` as `net.sym` in a new folder holding `files` (names -> bytes or text). Fails the
 * test if the spec does not parse cleanly: these tests are about binding.
 */
export async function bindFiles(text: string, files: Record<string, Uint8Array | string>, options?: BindOptions): Promise<Bound> {
  const folder = mkdtempSync(path.join(root, "spec-"));
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(folder, name), content);
  const specPath = path.join(folder, "net.sym");
  writeFileSync(specPath, text);
  const parsed = parseSpec(text);
  assert.deepEqual(
    parsed.diagnostics.map((d) => d.message),
    [],
    "the spec should parse without errors",
  );
  const reference = resolveModelPath(specPath, parsed.spec);
  const model = reference ? { reference, load: await new ModelCache().load(reference.path) } : undefined;
  return { ...bindSpec(parsed.spec, model, options), text, folder, specPath };
}

/** Binds `text` against one model saved as `net.onnx` beside it (the sibling rule). */
export function bindWithModel(text: string, model: Uint8Array, options?: BindOptions): Promise<Bound> {
  return bindFiles(text, { "net.onnx": model }, options);
}

/** The spec's text that a range covers. */
export function textAt(text: string, range: Range): string {
  const lines = text.split("\n");
  if (range.start.line === range.end.line) return lines[range.start.line].slice(range.start.character, range.end.character);
  const first = lines[range.start.line].slice(range.start.character);
  const middle = lines.slice(range.start.line + 1, range.end.line);
  const last = lines[range.end.line].slice(0, range.end.character);
  return [first, ...middle, last].join("\n");
}

/** The one diagnostic with this code; fails the test when there are none or several. */
export function only(bound: Bound, code: string): SpecDiagnostic {
  const matches = bound.diagnostics.filter((d) => d.code === code);
  assert.equal(matches.length, 1, `expected one ${code}, got: ${describe(bound.diagnostics)}`);
  return matches[0];
}

export function codes(bound: Bound): string[] {
  return bound.diagnostics.map((d) => d.code);
}

export function assertClean(bound: Bound): void {
  assert.deepEqual(bound.diagnostics, [], `expected no diagnostics, got: ${describe(bound.diagnostics)}`);
}

export function describe(diagnostics: SpecDiagnostic[]): string {
  return diagnostics.length ? diagnostics.map((d) => `\n  ${d.severity} ${d.code} ${JSON.stringify(d.range.start)}: ${d.message}`).join("") : "none";
}

/** The text after applying a fix's edits (edits do not overlap; applied from the last). */
export function applyFix(text: string, fix: Fix | undefined): string {
  assert.ok(fix, "expected a fix");
  const offsets = lineOffsets(text);
  const toOffset = (p: Range["start"]) => offsets[p.line] + p.character;
  const edits = [...fix.edits].sort((a, b) => toOffset(b.range.start) - toOffset(a.range.start));
  let result = text;
  for (const edit of edits) result = result.slice(0, toOffset(edit.range.start)) + edit.newText + result.slice(toOffset(edit.range.end));
  return result;
}

function lineOffsets(text: string): number[] {
  const offsets = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") offsets.push(i + 1);
  return offsets;
}

/** Applies the diagnostic's first (or preferred) fix and binds the result against the same files. */
export async function rebindWithFix(bound: Bound, diagnostic: SpecDiagnostic, files: Record<string, Uint8Array | string>, options?: BindOptions): Promise<Bound> {
  const fix = diagnostic.fixes?.find((candidate) => candidate.preferred) ?? diagnostic.fixes?.[0];
  return bindFiles(applyFix(bound.text, fix), files, options);
}
