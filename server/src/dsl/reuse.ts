/**
 * Reuse of the previous parse. In the editor each parse follows an edit of the text parsed
 * before, and the statements before the edit parse as they did: the new parse keeps them and
 * lexes and parses only from the last of them on. A 5,000-line spec edited near its end then
 * parses in a fraction of the time a whole parse takes.
 *
 * The result is the one a whole parse gives (the tests compare both), because only
 * statements that parsed with nothing wrong before their end are reused, and only when every
 * token the lexer and the parser looked at to read them is unchanged: the lexer reads one
 * character past a token to end it, the parser up to three tokens past a statement.
 */
import type { IToken } from "chevrotain";
import type { Statement } from "./ast";
import { firstTokenFrom, lex, type LexResult } from "./lexer";

/** A statement parsed with no error, misspelt keyword or lexical mistake before its end. */
export interface CleanStatement {
  /** Undefined when it built nothing (it never happens to a clean statement: kept for safety). */
  statement: Statement | undefined;
  lastToken: IToken;
}

/** What a parse leaves for the next one. */
export interface ParseMemory {
  text: string;
  tokens: IToken[];
  comments: IToken[];
  /** The leading clean statements, in source order. */
  cleanStatements: CleanStatement[];
}

/** The start of the previous parse that holds for a new text, and the lexing of the whole new text. */
export interface Reuse {
  statements: CleanStatement[];
  /** The reused tokens and comments followed by the new ones. */
  lexed: LexResult;
  /** The index of the first token to parse. */
  start: number;
}

/**
 * Tokens after a reused statement that must be unchanged: the parser looks up to three ahead
 * to end the statement, and the reading of a misspelt keyword (parse.ts) looks at the token
 * after the word; one more for good measure.
 */
const TOKENS_LOOKED_AT_AFTER = 5;

export function reuse(memory: ParseMemory | undefined, text: string): Reuse | undefined {
  if (!memory) return undefined;
  const changed = firstDifference(memory.text, text);
  const { tokens, cleanStatements } = memory;
  const holds = (clean: CleanStatement) => {
    const lookedAt = tokens[firstTokenFrom(tokens, clean.lastToken.startOffset) + TOKENS_LOOKED_AT_AFTER];
    return lookedAt !== undefined && endOf(lookedAt) < changed;
  };
  const count = leadingCount(cleanStatements, holds);
  if (count === 0) return undefined;
  const lastToken = cleanStatements[count - 1].lastToken;
  const start = firstTokenFrom(tokens, lastToken.startOffset) + 1;
  const restart = endOf(lastToken);
  const rest = lex(text, restart);
  // The reused tokens come before the first mistake (see leadingCleanStatements): the new
  // strays and incomplete tokens are all there are.
  const lexed: LexResult = {
    tokens: tokens.slice(0, start).concat(rest.tokens),
    comments: memory.comments.filter((comment) => comment.startOffset < restart).concat(rest.comments),
    strays: rest.strays,
    incomplete: rest.incomplete,
  };
  return { statements: cleanStatements.slice(0, count), lexed, start };
}

/**
 * The leading statements of a parse that a later one may reuse: the clean ones before the
 * first lexical mistake or misspelt keyword (a statement after one may parse without error).
 */
export function leadingCleanStatements(statements: CleanStatement[], firstMistake: number): CleanStatement[] {
  return statements.slice(0, leadingCount(statements, (clean) => endOf(clean.lastToken) <= firstMistake));
}

/** How many of the first items hold, for a condition that holds up to some item and not after. */
function leadingCount<T>(items: T[], holds: (item: T) => boolean): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (holds(items[middle - 1])) low = middle;
    else high = middle - 1;
  }
  return low;
}

function endOf(token: IToken): number {
  return token.startOffset + token.image.length;
}

/** Characters compared at once while looking for the first difference. */
const BLOCK = 4096;

/** The offset of the first character that differs (the length of the common beginning). */
function firstDifference(before: string, after: string): number {
  const length = Math.min(before.length, after.length);
  let index = 0;
  // Block by block first: comparing strings is many times faster than comparing their
  // characters one by one (an edited text is often a concatenation, slow to index).
  while (index + BLOCK <= length && before.slice(index, index + BLOCK) === after.slice(index, index + BLOCK)) index += BLOCK;
  while (index < length && before.charCodeAt(index) === after.charCodeAt(index)) index++;
  return index;
}
