import assert from "node:assert/strict";
import type { Range } from "../../server/src/common/text";
import type { SpecFile, Statement } from "../../server/src/dsl/ast";
import { parseSpec } from "../../server/src/dsl/parse";

/** Parses text that must have no syntax error. */
export function parseClean(text: string): SpecFile {
  const { spec, diagnostics } = parseSpec(text);
  assert.deepEqual(diagnostics, [], `no diagnostics expected for:\n${text}`);
  return spec;
}

/** The only statement of a one-statement text, checked to be of the given kind. */
export function single<K extends Statement["kind"]>(text: string, kind: K): Extract<Statement, { kind: K }> {
  const spec = parseClean(text);
  assert.equal(spec.statements.length, 1);
  const [statement] = spec.statements;
  assert.equal(statement.kind, kind);
  return statement as Extract<Statement, { kind: K }>;
}

/** The range of the `nth` (0-based) occurrence of `needle` in `text`, counted by hand from lines. */
export function rangeOf(text: string, needle: string, nth = 0): Range {
  let offset = -1;
  for (let i = 0; i <= nth; i++) {
    offset = text.indexOf(needle, offset + 1);
    assert.ok(offset >= 0, `'${needle}' occurs ${nth + 1} times`);
  }
  const before = text.slice(0, offset).split(/\r\n|\r|\n/);
  const line = before.length - 1;
  const character = before[line].length;
  return { start: { line, character }, end: { line, character: character + needle.length } };
}

/** The range of `needle` inside the first occurrence of `context` (for short needles that occur elsewhere too). */
export function rangeWithin(text: string, context: string, needle: string): Range {
  const { start } = rangeOf(text, context);
  const before = context.indexOf(needle);
  assert.ok(before >= 0 && !context.includes("\n"), `'${needle}' is within the one-line '${context}'`);
  const character = start.character + before;
  return { start: { line: start.line, character }, end: { line: start.line, character: character + needle.length } };
}

/** A zero-width range just after the `nth` occurrence of `needle`. */
export function pointAfter(text: string, needle: string, nth = 0): Range {
  const { end } = rangeOf(text, needle, nth);
  return { start: end, end };
}

export function texts(names: readonly { text: string }[]): string[] {
  return names.map((name) => name.text);
}
