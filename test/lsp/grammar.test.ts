/**
 * The TextMate grammar, run on the spec's examples by a small tokenizer that follows TextMate's
 * rules for what the grammar uses (match, begin/end, captures, includes; the leftmost match
 * wins, the end pattern first on ties). Its regexes are plain JavaScript-compatible ones.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { AXIS_KINDS, CHECK_SETTINGS, CONSTRUCTORS, DISTRIBUTIONS, STATEMENT_KEYWORDS } from "../../server/src/dsl/vocabulary";
import { SPEC_EXAMPLES } from "../support/specExamples";
import { repoRoot } from "../support/lspClient";

interface Rule {
  include?: string;
  match?: string;
  begin?: string;
  end?: string;
  name?: string;
  captures?: Captures;
  beginCaptures?: Captures;
  endCaptures?: Captures;
  patterns?: Rule[];
}
type Captures = Record<string, { name: string }>;
interface Grammar {
  scopeName: string;
  patterns: Rule[];
  repository: Record<string, Rule>;
}

/** A named piece of text, where it starts, and its innermost scope. */
interface Token {
  text: string;
  scope: string;
  line: number;
  character: number;
}

const grammar = JSON.parse(readFileSync(path.join(repoRoot, "syntaxes/symmetry.tmLanguage.json"), "utf8")) as Grammar;

/** The rules to try, with includes and pattern-only containers flattened. */
function expand(rules: Rule[]): Rule[] {
  return rules.flatMap((rule) => {
    if (rule.include) return expand([grammar.repository[rule.include.slice(1)]]);
    if (!rule.match && !rule.begin) return expand(rule.patterns ?? []);
    return [rule];
  });
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const stack: Rule[] = [{ patterns: grammar.patterns }];
  text.split("\n").forEach((line, lineNumber) => {
    const emit = (match: RegExpExecArray, whole: string | undefined, captures: Captures | undefined) => {
      if (whole) tokens.push({ text: match[0], scope: whole, line: lineNumber, character: match.index });
      for (const [group, { name }] of Object.entries(captures ?? {})) {
        const span = match.indices?.[Number(group)];
        if (span) tokens.push({ text: line.slice(span[0], span[1]), scope: name, line: lineNumber, character: span[0] });
      }
    };
    let position = 0;
    for (;;) {
      const top = stack[stack.length - 1];
      const candidates = [...(top.end ? [{ rule: top, source: top.end, ends: true }] : [])];
      for (const rule of expand(top.patterns ?? [])) candidates.push({ rule, source: rule.begin ?? rule.match!, ends: false });
      let best: { rule: Rule; ends: boolean; match: RegExpExecArray } | undefined;
      for (const { rule, source, ends } of candidates) {
        const regex = new RegExp(source, "dg");
        regex.lastIndex = position;
        const match = regex.exec(line);
        if (match && (!best || match.index < best.match.index)) best = { rule, ends, match };
      }
      if (!best) break;
      const { rule, ends, match } = best;
      if (ends) {
        emit(match, undefined, rule.endCaptures);
        stack.pop();
      } else if (rule.begin) {
        emit(match, undefined, rule.beginCaptures ?? rule.captures);
        stack.push(rule);
      } else {
        emit(match, rule.name, rule.captures);
        if (match[0].length === 0) break;
      }
      position = match.index + match[0].length;
    }
  });
  return tokens;
}

/** The scope of the `nth` token whose text is `text`. */
function scopeOf(tokens: Token[], text: string, nth = 0): string | undefined {
  return tokens.filter((token) => token.text === text)[nth]?.scope;
}

function assertScope(tokens: Token[], text: string, expected: string, nth = 0): void {
  const scope = scopeOf(tokens, text, nth);
  assert.ok(scope?.startsWith(expected), `\`${text}\` (#${nth + 1}) should be ${expected}, is ${scope ?? "unscoped"}`);
}

describe("grammar on the spec's examples", () => {
  test("the tiny_cnn example: comment, model path, tensors, axes, symmetries, claims, check block", () => {
    const tokens = tokenize(SPEC_EXAMPLES.tinyCnn);
    assertScope(tokens, "# tiny_cnn.sym: a convolutional classifier", "comment.line.number-sign");
    assertScope(tokens, "model", "keyword.other.statement");
    assertScope(tokens, '"', "punctuation.definition.string.begin");
    assertScope(tokens, "input", "keyword.other.statement");
    assertScope(tokens, "image", "entity.name.variable.tensor");
    assertScope(tokens, "logits", "entity.name.variable.tensor");
    assertScope(tokens, "channel", "variable.parameter.axis");
    assertScope(tokens, "[", "punctuation.section.brackets.begin");
    assertScope(tokens, "shift", "entity.name.type.group");
    assertScope(tokens, "translate", "support.function.constructor");
    assertScope(tokens, "rotate90", "support.function.constructor");
    assertScope(tokens, "invariant", "keyword.other.claim");
    assertScope(tokens, "under", "keyword.operator.word");
    assertScope(tokens, "within", "keyword.operator.word");
    assertScope(tokens, "1e-3", "constant.numeric");
    assertScope(tokens, "check", "keyword.other.statement");
    assertScope(tokens, "samples", "support.type.property-name.setting");
    assertScope(tokens, "16", "constant.numeric");
    assertScope(tokens, "size", "support.type.property-name.setting");
    assertScope(tokens, "batch", "variable.parameter.axis", 2);
    assertScope(tokens, "}", "punctuation.section.block.end");
    assert.equal(scopeOf(tokens, "90"), undefined, "the digits of rotate90 are not a number");
  });

  test("every statement that starts a line of the spec's examples starts with a keyword", () => {
    for (const [name, example] of Object.entries(SPEC_EXAMPLES)) {
      const tokens = tokenize(example);
      example.split("\n").forEach((line, lineNumber) => {
        const word = /^[a-z]+/.exec(line)?.[0];
        if (!word || !(STATEMENT_KEYWORDS as readonly string[]).includes(word)) return;
        const token = tokens.find((candidate) => candidate.line === lineNumber && candidate.character === 0);
        assert.ok(token?.scope.startsWith("keyword.other."), `${name}, line ${lineNumber + 1}: \`${word}\` is ${token?.scope ?? "unscoped"}`);
      });
    }
  });

  test("axis kinds, regular representations, quoted names, the unnamed axis and sizes", () => {
    const tokens = tokenize(`input  "input.1" [batch = 2, token, _]
input  pos    [batch, atom, xyz: point]
output force  [batch, atom, xyz: vector]
output feat   [batch, orient: turn, channel, y, x]`);
    assertScope(tokens, '"input.1"', "entity.name.variable.tensor");
    assertScope(tokens, "=", "keyword.operator.assignment");
    assertScope(tokens, "2", "constant.numeric");
    assertScope(tokens, "_", "variable.language.unnamed-axis");
    assertScope(tokens, "point", "storage.type.axis-kind");
    assertScope(tokens, "vector", "storage.type.axis-kind");
    assertScope(tokens, "turn", "support.type.regular-representation");
  });

  test("constructor options, value groups and a multi-line check block with input settings", () => {
    const tokens = tokenize(`symmetry shift = translate(y, x, step=2, margin=1)
symmetry polarity = negate(audio)
check {
  seed 0
  tolerance 1e-4
  input tokens ~ integers(0, 1000)
  input sr = 16000
  input image from "digits.npy"
}`);
    assertScope(tokens, "step", "variable.parameter.option");
    assertScope(tokens, "margin", "variable.parameter.option");
    assertScope(tokens, "negate", "support.function.constructor");
    assertScope(tokens, "seed", "support.type.property-name.setting");
    assertScope(tokens, "tolerance", "support.type.property-name.setting");
    assertScope(tokens, "input", "support.type.property-name.setting");
    assertScope(tokens, "tokens", "variable.other.tensor");
    assertScope(tokens, "~", "keyword.operator.distributed-as");
    assertScope(tokens, "integers", "support.function.distribution");
    assertScope(tokens, "from", "keyword.other.from");
    assertScope(tokens, "1e-4", "constant.numeric");
  });

  test("an unclosed axis list ends where the next line starts a statement", () => {
    const tokens = tokenize("input image [batch, y\nsymmetry s = flip(x)\ninvariant out under s");
    assertScope(tokens, "symmetry", "keyword.other.statement");
    assertScope(tokens, "flip", "support.function.constructor");
    assertScope(tokens, "invariant", "keyword.other.claim");
  });

  test("an unknown constructor is a call, not a support function", () => {
    const tokens = tokenize("symmetry s = translat(y)");
    assertScope(tokens, "translat", "variable.function");
  });
});

describe("grammar and vocabulary agree", () => {
  test("every constructor of the vocabulary is highlighted as one", () => {
    for (const { name } of CONSTRUCTORS) assertScope(tokenize(`symmetry s = ${name}(a)`), name, "support.function.constructor");
  });

  test("every distribution, axis kind, check setting and statement keyword is highlighted", () => {
    for (const { name } of DISTRIBUTIONS) assertScope(tokenize(`check { input t ~ ${name}(0, 1) }`), name, "support.function.distribution");
    for (const { name } of AXIS_KINDS) assertScope(tokenize(`input t [a: ${name}]`), name, "storage.type.axis-kind");
    for (const { name } of CHECK_SETTINGS) assertScope(tokenize(`check {\n  ${name} 1\n}`), name, "support.type.property-name.setting");
    for (const keyword of STATEMENT_KEYWORDS) assertScope(tokenize(keyword), keyword, "keyword.other");
  });
});
