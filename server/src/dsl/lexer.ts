/**
 * The tokens of the spec language and the lexer that produces them (chevrotain).
 *
 * Keywords are contextual: users name tensors `input`, axes `size`, symmetries `check`. Every
 * keyword token is therefore also in the `Name` category, and the grammar consumes `Name`
 * wherever a name is allowed; only the grammar decides whether `output` starts a statement.
 */
import { createToken, Lexer, type CstNodeLocation, type IToken, type TokenType } from "chevrotain";
import { SourcePositions, type Position, type Range } from "../common/text";

// Categories: abstract token types that the grammar consumes; concrete tokens belong to them.

/** An identifier or any keyword. */
export const Name = createToken({ name: "Name", pattern: Lexer.NA });
/** A double-quoted string, terminated or not (the lexer reports the missing quote, the parser goes on). */
export const QuotedString = createToken({ name: "QuotedString", pattern: Lexer.NA });
/** `samples`, `seed`, `tolerance`: the check settings that take one number. */
export const NumberSettingKeyword = createToken({ name: "NumberSettingKeyword", pattern: Lexer.NA });

export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /\s+/, group: Lexer.SKIPPED });
export const Comment = createToken({ name: "Comment", pattern: /#[^\n\r]*/, group: "comments" });

export const TerminatedString = createToken({
  name: "TerminatedString",
  pattern: /"(?:[^"\\\r\n]|\\[^\r\n])*"/,
  categories: [QuotedString],
});
/** A string that reaches the end of its line without a closing quote. */
export const UnterminatedString = createToken({
  name: "UnterminatedString",
  pattern: /"(?:[^"\\\r\n]|\\[^\r\n])*\\?/,
  categories: [QuotedString],
});

/** A number, complete or not (the lexer reports a dangling exponent, the parser goes on). */
export const NumberLiteral = createToken({ name: "NumberLiteral", pattern: Lexer.NA });
export const CompleteNumber = createToken({
  name: "CompleteNumber",
  pattern: /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/,
  categories: [NumberLiteral],
});
/** A number whose exponent has no digits yet: `1e`, `1e-`. */
export const IncompleteNumber = createToken({
  name: "IncompleteNumber",
  pattern: /-?(?:\d+(?:\.\d*)?|\.\d+)[eE][+-]?(?![+\-\d])/,
  categories: [NumberLiteral],
});

export const Identifier = createToken({
  name: "Identifier",
  pattern: /[A-Za-z_][A-Za-z0-9_]*/,
  categories: [Name],
});

function keyword(word: string, categories: TokenType[] = []): TokenType {
  const tokenName = word[0].toUpperCase() + word.slice(1);
  return createToken({ name: tokenName, pattern: word, longer_alt: Identifier, categories: [Name, ...categories] });
}

export const Model = keyword("model");
/** A statement keyword (`input NAME [AXES]`) and a check setting (`input NAME ~ normal(0, 1)`). */
export const Input = keyword("input");
export const Output = keyword("output");
export const Symmetry = keyword("symmetry");
export const Invariant = keyword("invariant");
export const Equivariant = keyword("equivariant");
export const Check = keyword("check");
export const Under = keyword("under");
export const Within = keyword("within");
export const From = keyword("from");
export const Samples = keyword("samples", [NumberSettingKeyword]);
export const Seed = keyword("seed", [NumberSettingKeyword]);
export const Tolerance = keyword("tolerance", [NumberSettingKeyword]);
export const Size = keyword("size");

export const LBracket = createToken({ name: "LBracket", pattern: "[", label: "'['" });
export const RBracket = createToken({ name: "RBracket", pattern: "]", label: "']'" });
export const LParen = createToken({ name: "LParen", pattern: "(", label: "'('" });
export const RParen = createToken({ name: "RParen", pattern: ")", label: "')'" });
export const LBrace = createToken({ name: "LBrace", pattern: "{", label: "'{'" });
export const RBrace = createToken({ name: "RBrace", pattern: "}", label: "'}'" });
export const Comma = createToken({ name: "Comma", pattern: ",", label: "','" });
export const Equals = createToken({ name: "Equals", pattern: "=", label: "'='" });
export const Colon = createToken({ name: "Colon", pattern: ":", label: "':'" });
export const Tilde = createToken({ name: "Tilde", pattern: "~", label: "'~'" });

/** Tokens that start a statement (when the grammar reads them as keywords). */
export const STATEMENT_KEYWORD_TOKENS: readonly TokenType[] = [Model, Input, Output, Symmetry, Invariant, Equivariant, Check];

export function isStatementKeyword(token: IToken): boolean {
  return STATEMENT_KEYWORD_TOKENS.includes(token.tokenType);
}

/** Every token type, in the order the lexer tries them: keywords before identifiers, closed strings before open ones. */
export const ALL_TOKENS: TokenType[] = [
  WhiteSpace,
  Comment,
  TerminatedString,
  UnterminatedString,
  IncompleteNumber,
  CompleteNumber,
  Model,
  Input,
  Output,
  Symmetry,
  Invariant,
  Equivariant,
  Check,
  Under,
  Within,
  From,
  Samples,
  Seed,
  Tolerance,
  Size,
  Identifier,
  LBracket,
  RBracket,
  LParen,
  RParen,
  LBrace,
  RBrace,
  Comma,
  Equals,
  Colon,
  Tilde,
  Name,
  QuotedString,
  NumberLiteral,
  NumberSettingKeyword,
];

const specLexer = new Lexer(ALL_TOKENS, { positionTracking: "onlyOffset", ensureOptimizations: true });

/** Characters that no token starts with, as the lexer skipped them. */
export interface StrayCharacters {
  text: string;
  /** Offsets in the text, end exclusive. */
  start: number;
  end: number;
}

export interface LexResult {
  tokens: IToken[];
  comments: IToken[];
  strays: StrayCharacters[];
  /** The unterminated strings and incomplete numbers among the tokens (tokens, so that the parser goes on). */
  incomplete: IToken[];
}

/**
 * The tokens of the text from offset `from` on, with offsets in the whole text. `from` must be
 * 0 or the end of a token of the text: there the lexer of the whole text is where it would
 * start on the rest alone, so the tokens are those it finds from there.
 */
export function lex(text: string, from = 0): LexResult {
  const result = specLexer.tokenize(from === 0 ? text : text.slice(from));
  const comments = result.groups.comments ?? [];
  if (from > 0) {
    for (const token of result.tokens) token.startOffset += from;
    for (const comment of comments) comment.startOffset += from;
  }
  const incomplete: IToken[] = [];
  for (const token of result.tokens) {
    // Offset-only tracking (much faster than line/column tracking) leaves out the end offset,
    // which the parser needs for the locations of its nodes.
    token.endOffset = token.startOffset + token.image.length - 1;
    if (token.tokenType === UnterminatedString || token.tokenType === IncompleteNumber) incomplete.push(token);
  }
  const strays = result.errors.map((error) => {
    const start = error.offset + from;
    return { text: text.slice(start, start + error.length), start, end: start + error.length };
  });
  return { tokens: result.tokens, comments, strays, incomplete };
}

/** The index of the first token that starts at or after `offset` (the length when none does), by binary search. */
export function firstTokenFrom(tokens: readonly IToken[], offset: number): number {
  let low = 0;
  let high = tokens.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (tokens[middle].startOffset < offset) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The text of a quoted string token without its quotes, `\"` and `\\` resolved; other backslashes stay (Windows paths). */
export function stringValue(token: IToken): string {
  const terminated = token.tokenType === TerminatedString;
  const body = token.image.slice(1, terminated ? -1 : undefined);
  return !body.includes("\\") ? body : body.replace(/\\(["\\])/g, "$1");
}

/** The value of a number token; an incomplete one (`1e-`) counts without its exponent. */
export function numberValue(token: IToken): number {
  return Number.parseFloat(token.image);
}

/** Source positions that also read the lexer's tokens and the parser's CST node locations. */
export class TokenPositions extends SourcePositions {
  ofToken(token: IToken): Range {
    return this.range(token.startOffset, token.startOffset + token.image.length);
  }

  /** The position just after the token. */
  after(token: IToken): Position {
    return this.at(token.startOffset + token.image.length);
  }

  /** A CST node's range: from its first token to its last written one. */
  ofLocation(location: CstNodeLocation): Range {
    return this.range(location.startOffset, (location.endOffset ?? location.startOffset) + 1);
  }
}
