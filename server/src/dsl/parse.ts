/**
 * The front end's entry point: text -> typed tree + syntax diagnostics. It never throws:
 * whatever the text, the tree holds everything that parsed, and each mistake gets one
 * diagnostic with a precise range (on the offending token, or just after the last good
 * token when something is missing) and, where one is clear, a quick fix.
 */
import { EOF, tokenMatcher, type IRecognitionException, type IToken, type TokenType } from "chevrotain";
import type { Fix, SpecDiagnostic } from "../common/diagnostic";
import { nearest } from "../common/suggest";
import { comparePositions, type Position, type Range } from "../common/text";
import type { SpecFile } from "./ast";
import {
  firstTokenFrom,
  Identifier,
  IncompleteNumber,
  isStatementKeyword,
  LBrace,
  lex,
  Name,
  NumberLiteral,
  QuotedString,
  RBrace,
  RBracket,
  RParen,
  STATEMENT_KEYWORD_TOKENS,
  TokenPositions,
  UnterminatedString,
  type LexResult,
  type StrayCharacters,
} from "./lexer";
import { parseTokens, unknownStatementMessage, type ParsedTokens } from "./parser";
import { leadingCleanStatements, reuse, type CleanStatement, type ParseMemory, type Reuse } from "./reuse";
import { SpecFileBuilder } from "./toAst";
import { CHECK_SETTINGS, STATEMENT_KEYWORDS } from "./vocabulary";

/** The codes of syntax diagnostics (documented in docs/diagnostics.md). */
export const SyntaxCode = {
  /** A token that does not fit where it stands; it was skipped. */
  unexpectedToken: "syntax.unexpected-token",
  /** Something the statement needs is missing (a `]`, a name, a number...). */
  missingToken: "syntax.missing-token",
  unterminatedString: "syntax.unterminated-string",
  /** A number whose exponent has no digits: `1e-`. */
  incompleteNumber: "syntax.incomplete-number",
  unexpectedCharacter: "syntax.unexpected-character",
  /** Text where a statement should start (often a misspelt keyword). */
  unknownStatement: "syntax.unknown-statement",
  /** A bug in the parser: reported instead of thrown. */
  internalError: "syntax.internal-error",
} as const;

export interface ParseResult {
  spec: SpecFile;
  /** In source order. */
  diagnostics: SpecDiagnostic[];
}

/**
 * The last parse, whose beginning the next one reuses where the text has not changed (see
 * reuse.ts). The result does not depend on it: it is the same as from a parse from scratch.
 */
let memory: ParseMemory | undefined;

export function parseSpec(text: string): ParseResult {
  try {
    const previous = memory;
    memory = undefined; // a parse that fails leaves nothing to reuse
    const parse = parseWithReuse(text, reuse(previous, text));
    memory = parse.memory;
    return parse.result;
  } catch (error) {
    // A bug (ours or chevrotain's) must not take the editor or the command line down.
    return { spec: { statements: [], comments: [] }, diagnostics: [internalError(error)] };
  }
}

/** Parses the text after the reused statements, if any; with what a later parse may reuse. */
function parseWithReuse(text: string, reused: Reuse | undefined): { result: ParseResult; memory: ParseMemory } {
  const positions = new TokenPositions(text);
  const lexed = reused?.lexed ?? lex(text);
  const start = reused?.start ?? 0;
  const misspelt = readMisspeltKeywords(lexed.tokens, start, text);
  const tree = new SpecFileBuilder(positions, reused?.statements);
  const cleanStatements: CleanStatement[] = [...(reused?.statements ?? [])];
  const parsed = parseTokens(lexed.tokens, start, (cst, { lastToken, clean }) => {
    const statement = tree.addStatement(cst);
    if (clean) cleanStatements.push({ statement, lastToken });
  });
  const spec = tree.finish(lexed.comments);
  const diagnostics = [
    ...lexicalDiagnostics(lexed, positions),
    ...misspelt.map((token) => misspeltStatementKeyword(token, positions)),
    ...grammarDiagnostics(parsed, lexed, new Set(misspelt), positions),
  ];
  diagnostics.sort((a, b) => comparePositions(a.range.start, b.range.start));
  const reusable = leadingCleanStatements(cleanStatements, firstMistake(lexed, misspelt, text));
  return { result: { spec, diagnostics }, memory: { text, tokens: lexed.tokens, comments: lexed.comments, cleanStatements: reusable } };
}

function lexicalDiagnostics(lexed: LexResult, positions: TokenPositions): SpecDiagnostic[] {
  const diagnostics = lexed.strays.map(
    (stray): SpecDiagnostic => ({
      range: positions.range(stray.start, stray.end),
      severity: "error",
      code: SyntaxCode.unexpectedCharacter,
      message: strayMessage(stray),
    }),
  );
  for (const token of lexed.incomplete) {
    diagnostics.push(token.tokenType === UnterminatedString ? unterminatedString(token, positions) : incompleteNumber(token, positions));
  }
  return diagnostics;
}

/** The offset of the first lexical mistake or misspelt keyword, or the end of the text. */
function firstMistake(lexed: LexResult, misspelt: IToken[], text: string): number {
  let first = Math.min(text.length, lexed.strays[0]?.start ?? Infinity);
  for (const token of [...lexed.incomplete, ...misspelt]) first = Math.min(first, token.startOffset);
  return first;
}

function strayMessage(stray: StrayCharacters): string {
  const printable = !/[\p{Cc}\p{Cf}\p{Z}\p{Cs}]/u.test(stray.text);
  const shown = printable
    ? `'${stray.text}'`
    : Array.from(stray.text, (char) => `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`).join(" ");
  const plural = Array.from(stray.text).length > 1 ? "characters" : "character";
  const hint = stray.text.includes("'") ? " (strings and quoted names use double quotes)" : "";
  return `unexpected ${plural} ${shown}${hint}`;
}

function unterminatedString(token: IToken, positions: TokenPositions): SpecDiagnostic {
  const end = positions.after(token);
  // A lone backslash at the end would escape the quote we add: escape the backslash too.
  const trailingBackslashes = token.image.length - token.image.replace(/\\+$/, "").length;
  const closing = trailingBackslashes % 2 === 1 ? '\\"' : '"';
  return {
    range: positions.ofToken(token),
    severity: "error",
    code: SyntaxCode.unterminatedString,
    message: "unterminated string: close it with '\"' on the same line",
    fixes: [{ title: "Close the string", edits: [{ range: { start: end, end }, newText: closing }], preferred: true }],
  };
}

/**
 * A misspelt statement keyword (`inptu image [...]`) would make the parser skip everything
 * up to the next statement, hiding the mistakes after it. So an identifier that stands where
 * a statement may start (first on its line, after the end of a statement, outside a check
 * block), is close to a statement keyword and is followed by what that statement needs
 * next, is read as the keyword: its statement parses, and its diagnostic offers the fix.
 * The tokens before `start` were read by an earlier parse, which found no misspelling there.
 */
function readMisspeltKeywords(tokens: IToken[], start: number, text: string): IToken[] {
  const misspelt: IToken[] = [];
  let braceDepth = 0;
  for (let index = 0; index < start; index++) braceDepth = braceDepthAfter(tokens[index], braceDepth);
  // A plain loop with no closure: it runs over every token of the file.
  for (let index = start; index < tokens.length; index++) {
    const token = tokens[index];
    braceDepth = braceDepthAfter(token, braceDepth);
    const previous = tokens[index - 1];
    if (token.tokenType !== Identifier || braceDepth > 0) continue;
    if (previous && !(endsStatement(previous) && startsLine(previous, token, text))) continue;
    const keyword = misspeltKeyword(token, tokens[index + 1]);
    if (!keyword) continue;
    token.tokenType = keyword;
    token.tokenTypeIdx = keyword.tokenTypeIdx ?? token.tokenTypeIdx;
    misspelt.push(token);
  }
  return misspelt;
}

/** How many braces are open after the token, `depth` being how many were open before it (a stray `}` closes none). */
function braceDepthAfter(token: IToken, depth: number): number {
  if (tokenMatcher(token, LBrace)) return depth + 1;
  if (tokenMatcher(token, RBrace)) return Math.max(0, depth - 1);
  return depth;
}

/** The statement keyword that a word standing where a statement may start is a misspelling of, if any. */
function misspeltKeyword(word: IToken, next: IToken | undefined): TokenType | undefined {
  const nearestKeyword = nearest(word.image, STATEMENT_KEYWORDS);
  const keyword = STATEMENT_KEYWORD_TOKENS.find((candidate) => candidate.PATTERN === nearestKeyword);
  return keyword && continuesStatement(keyword, next) ? keyword : undefined;
}

/** Tokens that may end a statement: `]`, `)`, `}`, a path, a tolerance, a claim's last symmetry. */
const STATEMENT_ENDS = [RBracket, RParen, RBrace, QuotedString, NumberLiteral, Identifier];

function endsStatement(token: IToken): boolean {
  for (const tokenType of STATEMENT_ENDS) if (tokenMatcher(token, tokenType)) return true;
  return false;
}

function startsLine(previous: IToken, token: IToken, text: string): boolean {
  return /[\n\r]/.test(text.slice(previous.startOffset + previous.image.length, token.startOffset));
}

/** What comes after the keyword of a statement: `model "PATH"`, `check {`, `input NAME`... */
function continuesStatement(keyword: TokenType, next: IToken | undefined): boolean {
  if (!next) return false;
  if (keyword.PATTERN === "model") return tokenMatcher(next, QuotedString);
  if (keyword.PATTERN === "check") return tokenMatcher(next, LBrace);
  return tokenMatcher(next, Name) || tokenMatcher(next, QuotedString);
}

function incompleteNumber(token: IToken, positions: TokenPositions): SpecDiagnostic {
  return {
    range: positions.ofToken(token),
    severity: "error",
    code: SyntaxCode.incompleteNumber,
    message: `incomplete number '${token.image}': its exponent needs digits (as in 1e-4)`,
  };
}

function grammarDiagnostics(
  parsed: ParsedTokens,
  lexed: LexResult,
  misspelt: Set<IToken>,
  positions: TokenPositions,
): SpecDiagnostic[] {
  if (parsed.errors.length === 0) return [];
  const diagnosed = new Set<IToken>(misspelt);
  const diagnostics: SpecDiagnostic[] = [];
  for (const error of parsed.errors) {
    const previous = tokenBefore(lexed.tokens, error.token);
    // Recovery may trip twice over one mistake: on one token, or on the last token and then at
    // the end of the file (`input x f` needs no second message for its missing `}`).
    const repeated = diagnosed.has(error.token) || (tokenMatcher(error.token, EOF) && previous !== undefined && diagnosed.has(previous));
    if (repeated || followsLexicalError(error.token, previous, lexed)) continue;
    diagnosed.add(error.token);
    diagnostics.push(diagnose(error, previous, parsed, positions));
  }
  return diagnostics;
}

function diagnose(
  error: IRecognitionException,
  previous: IToken | undefined,
  parsed: ParsedTokens,
  positions: TokenPositions,
): SpecDiagnostic {
  const found = error.token;
  if (isUnknownStatement(error)) return unknownStatement(found, error.message, positions);
  const keyword = parsed.misspellings.get(found);
  if (keyword !== undefined) {
    return {
      range: positions.ofToken(found),
      severity: "error",
      code: SyntaxCode.unexpectedToken,
      message: `${error.message}; did you mean '${keyword}'?`,
      fixes: [replaceWith(found, keyword, positions)],
    };
  }
  // The found token was parsed later on (or is the end): what the parser expected is missing before it.
  if (tokenMatcher(found, EOF) || parsed.written.has(found)) {
    const at = positions.at(previous ? previous.startOffset + previous.image.length : found.startOffset);
    const inserted = parsed.insertions.get(found);
    const diagnostic: SpecDiagnostic = {
      range: { start: at, end: at },
      severity: "error",
      code: SyntaxCode.missingToken,
      message: error.message,
    };
    if (inserted !== undefined) diagnostic.fixes = [insertion(at, inserted)];
    return diagnostic;
  }
  return { range: positions.ofToken(found), severity: "error", code: SyntaxCode.unexpectedToken, message: error.message };
}

/** A word read as the statement keyword it is close to (see readMisspeltKeywords). */
function misspeltStatementKeyword(token: IToken, positions: TokenPositions): SpecDiagnostic {
  const keyword = String(token.tokenType.PATTERN);
  return {
    range: positions.ofToken(token),
    severity: "error",
    code: SyntaxCode.unknownStatement,
    message: `${unknownStatementMessage(token)}; did you mean '${keyword}'?`,
    fixes: [replaceWith(token, keyword, positions)],
  };
}

/** Errors of the top-level rule: the text there does not start a statement. */
function isUnknownStatement(error: IRecognitionException): boolean {
  return error.name === "NotAllInputParsedException" || error.context.ruleStack.length === 1;
}

function unknownStatement(found: IToken, message: string, positions: TokenPositions): SpecDiagnostic {
  const diagnostic: SpecDiagnostic = {
    range: positions.ofToken(found),
    severity: "error",
    code: SyntaxCode.unknownStatement,
    message,
  };
  if (!tokenMatcher(found, Name)) return diagnostic;
  if (CHECK_SETTINGS.some((setting) => setting.name === found.image) && !isStatementKeyword(found)) {
    diagnostic.message += ` ('${found.image}' is a check setting: it goes inside 'check { ... }')`;
    return diagnostic;
  }
  // `within` too: a misspelt one ends its claim, and the parser finds it where a statement should start.
  const keyword = nearest(found.image, [...STATEMENT_KEYWORDS, "within"]);
  if (keyword !== undefined) {
    diagnostic.message += `; did you mean '${keyword}'?`;
    diagnostic.fixes = [replaceWith(found, keyword, positions)];
  }
  return diagnostic;
}

function replaceWith(token: IToken, keyword: string, positions: TokenPositions): Fix {
  return { title: `Change to '${keyword}'`, edits: [{ range: positions.ofToken(token), newText: keyword }], preferred: true };
}

/** Closing brackets and `(` go right after the last token (`[a, b]`, `flip(`); other tokens after a space. */
function insertion(at: Position, text: string): Fix {
  const newText = ["]", ")", "("].includes(text) ? text : ` ${text}`;
  return { title: `Insert '${text}'`, edits: [{ range: { start: at, end: at }, newText }], preferred: true };
}

/** The token before `token` in the text (the last one for the end of the file). */
function tokenBefore(tokens: IToken[], token: IToken): IToken | undefined {
  if (tokenMatcher(token, EOF)) return tokens[tokens.length - 1];
  return tokens[firstTokenFrom(tokens, token.startOffset) - 1];
}

/**
 * A stray character or an unterminated string right before the token that the parser trips
 * on is the real mistake; its own diagnostic says so, and the parser's would repeat it.
 */
function followsLexicalError(found: IToken, previous: IToken | undefined, lexed: LexResult): boolean {
  if (!previous) return false;
  if (previous.tokenType === UnterminatedString || previous.tokenType === IncompleteNumber) return true;
  const gapStart = previous.startOffset + previous.image.length;
  const gapEnd = tokenMatcher(found, EOF) ? Infinity : found.startOffset;
  return lexed.strays.some((stray) => gapStart <= stray.start && stray.start < gapEnd);
}

function internalError(error: unknown): SpecDiagnostic {
  const start: Position = { line: 0, character: 0 };
  const range: Range = { start, end: start };
  const detail = error instanceof Error ? error.message : String(error);
  return {
    range,
    severity: "error",
    code: SyntaxCode.internalError,
    message: `internal error while parsing this file (please report it): ${detail}`,
  };
}
