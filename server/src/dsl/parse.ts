/**
 * The front end's entry point: text -> typed tree + syntax diagnostics. It never throws:
 * whatever the text, the tree holds everything that parsed, and each mistake gets one
 * diagnostic with a precise range (on the offending token, or just after the last good
 * token when something is missing) and, where one is clear, a quick fix.
 */
import { EOF, tokenMatcher, type CstElement, type CstNode, type IRecognitionException, type IToken } from "chevrotain";
import type { Fix, SpecDiagnostic } from "../common/diagnostic";
import { nearest } from "../common/suggest";
import { comparePositions, type Position, type Range } from "../common/text";
import type { SpecFile } from "./ast";
import { lex, Name, SourcePositions, UnterminatedString, type LexResult, type StrayCharacters } from "./lexer";
import { parseTokens, type ParsedTokens } from "./parser";
import { toAst } from "./toAst";
import { CHECK_SETTINGS, STATEMENT_KEYWORDS } from "./vocabulary";

/** The codes of syntax diagnostics (documented in docs/diagnostics.md). */
export const SyntaxCode = {
  /** A token that does not fit where it stands; it was skipped. */
  unexpectedToken: "syntax.unexpected-token",
  /** Something the statement needs is missing (a `]`, a name, a number...). */
  missingToken: "syntax.missing-token",
  unterminatedString: "syntax.unterminated-string",
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

export function parseSpec(text: string): ParseResult {
  try {
    const positions = new SourcePositions(text);
    const lexed = lex(text);
    const parsed = parseTokens(lexed.tokens);
    const spec = toAst(parsed.cst, lexed.comments, positions);
    const diagnostics = [...lexicalDiagnostics(lexed, positions), ...grammarDiagnostics(parsed, lexed, positions)];
    diagnostics.sort((a, b) => comparePositions(a.range.start, b.range.start));
    return { spec, diagnostics };
  } catch (error) {
    // A bug (ours or chevrotain's) must not take the editor or the command line down.
    return { spec: { statements: [], comments: [] }, diagnostics: [internalError(error)] };
  }
}

function lexicalDiagnostics(lexed: LexResult, positions: SourcePositions): SpecDiagnostic[] {
  const strays = lexed.strays.map(
    (stray): SpecDiagnostic => ({
      range: positions.range(stray.start, stray.end),
      severity: "error",
      code: SyntaxCode.unexpectedCharacter,
      message: strayMessage(stray),
    }),
  );
  const unterminated = lexed.tokens
    .filter((token) => token.tokenType === UnterminatedString)
    .map((token) => unterminatedString(token, positions));
  return [...strays, ...unterminated];
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

function unterminatedString(token: IToken, positions: SourcePositions): SpecDiagnostic {
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

function grammarDiagnostics(parsed: ParsedTokens, lexed: LexResult, positions: SourcePositions): SpecDiagnostic[] {
  if (parsed.errors.length === 0) return [];
  const written = writtenTokens(parsed.cst);
  const diagnosed = new Set<IToken>();
  const diagnostics: SpecDiagnostic[] = [];
  for (const error of parsed.errors) {
    // Recovery may trip twice over one mistake (at the end of the file, typically): report it once.
    if (diagnosed.has(error.token) || followsLexicalError(error, lexed)) continue;
    diagnosed.add(error.token);
    diagnostics.push(diagnose(error, parsed, written, positions));
  }
  return diagnostics;
}

function diagnose(
  error: IRecognitionException,
  parsed: ParsedTokens,
  written: Set<IToken>,
  positions: SourcePositions,
): SpecDiagnostic {
  const found = error.token;
  if (isUnknownStatement(error)) return unknownStatement(error, positions);
  const keyword = parsed.misspellings.get(error);
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
  if (tokenMatcher(found, EOF) || written.has(found)) {
    const previous = previousToken(error);
    const at = positions.at(previous ? previous.startOffset + previous.image.length : found.startOffset);
    const inserted = parsed.insertions.get(error);
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

/** Errors of the top-level rule: the text there does not start a statement. */
function isUnknownStatement(error: IRecognitionException): boolean {
  return error.name === "NotAllInputParsedException" || error.context.ruleStack.length === 1;
}

function unknownStatement(error: IRecognitionException, positions: SourcePositions): SpecDiagnostic {
  const found = error.token;
  const diagnostic: SpecDiagnostic = {
    range: positions.ofToken(found),
    severity: "error",
    code: SyntaxCode.unknownStatement,
    message: error.message,
  };
  if (!tokenMatcher(found, Name)) return diagnostic;
  if (CHECK_SETTINGS.some((setting) => setting.name === found.image)) {
    diagnostic.message += ` ('${found.image}' is a check setting: it goes inside 'check { ... }')`;
    return diagnostic;
  }
  const keyword = nearest(found.image, STATEMENT_KEYWORDS);
  if (keyword !== undefined) {
    diagnostic.message += `; did you mean '${keyword}'?`;
    diagnostic.fixes = [replaceWith(found, keyword, positions)];
  }
  return diagnostic;
}

function replaceWith(token: IToken, keyword: string, positions: SourcePositions): Fix {
  return { title: `Change to '${keyword}'`, edits: [{ range: positions.ofToken(token), newText: keyword }], preferred: true };
}

/** Closing brackets and `(` go right after the last token (`[a, b]`, `flip(`); other tokens after a space. */
function insertion(at: Position, text: string): Fix {
  const newText = ["]", ")", "("].includes(text) ? text : ` ${text}`;
  return { title: `Insert '${text}'`, edits: [{ range: { start: at, end: at }, newText }], preferred: true };
}

function previousToken(error: IRecognitionException): IToken | undefined {
  const previous = (error as { previousToken?: IToken }).previousToken;
  return previous && !Number.isNaN(previous.startOffset) ? previous : undefined;
}

/**
 * A stray character or an unterminated string right before the token that the parser trips
 * on is the real mistake; its own diagnostic says so, and the parser's would repeat it.
 */
function followsLexicalError(error: IRecognitionException, lexed: LexResult): boolean {
  const previous = previousToken(error);
  if (!previous) return false;
  if (previous.tokenType === UnterminatedString) return true;
  const gapStart = previous.startOffset + previous.image.length;
  const gapEnd = tokenMatcher(error.token, EOF) ? Infinity : error.token.startOffset;
  return lexed.strays.some((stray) => gapStart <= stray.start && stray.start < gapEnd);
}

/** Every token the parser placed in the tree (recovery skips the others). */
function writtenTokens(cst: CstNode): Set<IToken> {
  const tokens = new Set<IToken>();
  const visit = (element: CstElement) => {
    if ("children" in element) {
      for (const children of Object.values(element.children)) children.forEach(visit);
    } else if (!element.isInsertedInRecovery) {
      tokens.add(element);
    }
  };
  visit(cst);
  return tokens;
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
