/**
 * Reading the spec's raw text at positions: the features need it where the tree has no node
 * (a keyword such as `under`, a word being typed, the source of a constructor call).
 */
import { SourcePositions, type Position, type Range } from "../common/text";
import type { SymmetryDeclaration } from "../dsl/ast";

const IDENTIFIER_CHAR = /[A-Za-z0-9_]/;

/** The lines of the text, without their line breaks (`\n`, `\r\n` or `\r`, as `SourcePositions` counts them). */
export function linesOf(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/** The text that a range covers. */
export function textIn(text: string, range: Range): string {
  const positions = new SourcePositions(text);
  return text.slice(positions.offsetAt(range.start), positions.offsetAt(range.end));
}

/** The identifier that the position is in or touches (a cursor right after a word counts), with its range. */
export function identifierAt(text: string, position: Position): { word: string; range: Range } | undefined {
  const line = linesOf(text)[position.line] ?? "";
  let start = Math.min(position.character, line.length);
  let end = start;
  while (start > 0 && IDENTIFIER_CHAR.test(line[start - 1])) start--;
  while (end < line.length && IDENTIFIER_CHAR.test(line[end])) end++;
  if (start === end) return undefined;
  return {
    word: line.slice(start, end),
    range: { start: { line: position.line, character: start }, end: { line: position.line, character: end } },
  };
}

/** `translate(y, x)` as written, or as much of it as was typed; empty without a constructor. */
export function constructorCall(text: string, declaration: SymmetryDeclaration): string {
  if (!declaration.constructorName) return "";
  return textIn(text, { start: declaration.constructorName.range.start, end: (declaration.argsRange ?? declaration.constructorName.range).end });
}
