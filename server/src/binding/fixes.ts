/**
 * Building blocks of the binder's quick fixes and messages. A fix must leave valid text, so
 * names that are not identifiers are quoted here, in one place.
 */
import type { Fix } from "../common/diagnostic";
import { listInWords, nearest } from "../common/suggest";
import type { Position, Range } from "../common/text";
import type { ConstructorInfo } from "../dsl/vocabulary";

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A tensor name as the spec must spell it: `image`, `"input.1"`. */
export function formatName(name: string): string {
  return isIdentifier(name) ? name : JSON.stringify(name);
}

/** Whether a name can be written without quotes. */
export function isIdentifier(name: string): boolean {
  return IDENTIFIER.test(name);
}

/** `image`, `"input.1"` in backquotes, for messages. */
export function quote(text: string): string {
  return `\`${text}\``;
}

export function replaceFix(title: string, range: Range, newText: string, preferred = true): Fix {
  return { title, edits: [{ range, newText }], preferred };
}

export function insertFix(title: string, at: Position, text: string, preferred = true): Fix {
  return replaceFix(title, { start: at, end: at }, text, preferred);
}

/** Formats a suggestion as it is: for axis, symmetry, setting and group names, which are identifiers. */
export const verbatim = (name: string): string => name;

/** The fix that replaces a misspelt name by the candidate it is nearest to, if any is near. */
export function suggestionFix(range: Range, word: string, candidates: Iterable<string>, format = formatName): Fix | undefined {
  const suggestion = nearest(word, candidates);
  return suggestion === undefined ? undefined : replaceFix(`Change to ${format(suggestion)}`, range, format(suggestion));
}

/** `; did you mean `x`?`, or nothing: appended to messages that come with a suggestion fix. */
export function didYouMean(fix: Fix | undefined): string {
  return fix ? `; did you mean ${quote(fix.edits[0].newText)}?` : "";
}

/** At most `limit` items, then `and N more`: keeps messages about big models readable. */
export function listSome(items: readonly string[], limit = 6): string[] {
  return items.length <= limit ? [...items] : [...items.slice(0, limit), `${items.length - limit} more`];
}

/** `1 axis`, `3 axes`. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

export function startOfLine(line: number): Position {
  return { line, character: 0 };
}

/** `translate(y, x)` from the completion snippet `translate(${1:y}, ${2:x})`: an example for messages. */
export function constructorExample(info: ConstructorInfo): string {
  return info.snippet.replace(/\$\{\d+:([^}]*)\}/g, "$1");
}

/** "its inputs are `a` and `b`", "its only input is `a`", "it has no inputs": a model's values, for messages. */
export function modelValuesInWords(direction: "input" | "output", names: readonly string[]): string {
  if (names.length === 0) return `it has no ${direction}s`;
  if (names.length === 1) return `its only ${direction} is ${quote(names[0])}`;
  return `its ${direction}s are ${listInWords(listSome(names.map(quote)), "and")}`;
}
