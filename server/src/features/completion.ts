/**
 * Completion by context. The text before the cursor is usually incomplete (that is why the user
 * asks), so the context comes from the raw tokens before the cursor rather than from the tree:
 * which statement the cursor is in, and how far into it. The names offered come from the
 * analysis: the model's tensors, the declared axes, symmetries and outputs.
 */
import { tokenMatcher, type IToken } from "chevrotain";
import { CompletionItemKind, InsertTextFormat, MarkupKind, type CompletionItem, type Range } from "vscode-languageserver-types";
import { formatName, isIdentifier } from "../binding/fixes";
import { ANONYMOUS_AXIS } from "../binding/symbols";
import { SourcePositions, type Position } from "../common/text";
import type * as ast from "../dsl/ast";
import { lex, Name, NumberLiteral, QuotedString, stringValue, UnterminatedString } from "../dsl/lexer";
import {
  AXIS_KINDS,
  CHECK_SETTINGS,
  CONSTRUCTORS,
  DISTRIBUTIONS,
  KEYWORD_DOCS,
  REGULAR_GROUP_ORDERS,
  STATEMENT_KEYWORDS,
  findConstructor,
} from "../dsl/vocabulary";
import { describeDim, describeType, modelInputs, type ValueInfo } from "../onnx/model";
import type { SpecAnalysis } from "../service/analysis";

export function complete(analysis: SpecAnalysis, position: Position): CompletionItem[] {
  const positions = new SourcePositions(analysis.text);
  const scan = scanBeforeCursor(analysis.text, positions.offsetAt(position));
  if (!scan) return [];
  const context = contextOf(scan.tokens);
  const prefixRange = positions.range(scan.prefixStart, scan.prefixEnd);
  const textAfter = analysis.text.slice(scan.prefixEnd, positions.lineEnd(prefixRange.end.line)).trimStart();
  const request: Request = { analysis, prefixRange, quotedPrefix: scan.quotedPrefix, textAfter };
  return itemsFor(context, request).map((candidate) => toItem(candidate, request));
}

// ---------------------------------------------------------------------------------------------
// Tokens before the cursor

interface Token {
  kind: "word" | "number" | "string" | "punctuation";
  text: string;
  /** The name a word or a quoted string spells (without quotes). */
  value: string;
  start: number;
  end: number;
}

interface Scan {
  /** Complete tokens before the word being typed. */
  tokens: Token[];
  /** What the edit replaces: the word or quoted name being typed (empty when there is none). */
  prefixStart: number;
  prefixEnd: number;
  quotedPrefix: boolean;
}

/**
 * Tokens of the text before the cursor, from the language's lexer. Undefined where nothing can
 * be completed: in a comment or in a number.
 */
function scanBeforeCursor(text: string, cursor: number): Scan | undefined {
  const lexed = lex(text.slice(0, cursor));
  if (lexed.comments.some((comment) => comment.startOffset + comment.image.length === cursor)) return undefined;
  const tokens = lexed.tokens.map((token): Token => {
    const kind = tokenKind(token);
    const value = kind === "string" ? stringValue(token) : token.image;
    return { kind, text: token.image, value, start: token.startOffset, end: token.startOffset + token.image.length };
  });
  const last = tokens[tokens.length - 1];
  if (!last || last.end < cursor) return { tokens, prefixStart: cursor, prefixEnd: cursor, quotedPrefix: false };
  // The cursor is right after the last token: that token is what the user is typing.
  if (last.kind === "word") return { tokens: tokens.slice(0, -1), prefixStart: last.start, prefixEnd: cursor, quotedPrefix: false };
  if (last.kind === "string") {
    // Editors close quotes as they are typed: the closing quote after the cursor is replaced too.
    const open = lexed.tokens[lexed.tokens.length - 1].tokenType === UnterminatedString;
    const prefixEnd = open && text[cursor] === '"' ? cursor + 1 : cursor;
    return { tokens: tokens.slice(0, -1), prefixStart: last.start, prefixEnd, quotedPrefix: true };
  }
  if (last.kind === "number") return undefined;
  return { tokens, prefixStart: cursor, prefixEnd: cursor, quotedPrefix: false };
}

function tokenKind(token: IToken): Token["kind"] {
  if (tokenMatcher(token, Name)) return "word";
  if (tokenMatcher(token, QuotedString)) return "string";
  if (tokenMatcher(token, NumberLiteral)) return "number";
  return "punctuation";
}

// ---------------------------------------------------------------------------------------------
// Where the cursor is

type CompletionContext =
  | { kind: "nothing" }
  | { kind: "statementStart"; afterClaimSymmetries: boolean }
  | { kind: "tensorName"; direction: "input" | "output" }
  | { kind: "axisList"; direction: "input" | "output"; tensorName?: string }
  | { kind: "axisName"; direction: "input" | "output"; tensorName?: string; index: number }
  | { kind: "axisKind" }
  | { kind: "constructor" }
  | { kind: "constructorArgument"; constructorName: string; written: string[] }
  | { kind: "claimOutput"; written: string[] }
  | { kind: "under" }
  | { kind: "claimSymmetry"; written: string[] }
  | { kind: "setting" }
  | { kind: "sizeAxis"; written: string[] }
  | { kind: "settingInput" }
  | { kind: "distribution" };

const NOTHING: CompletionContext = { kind: "nothing" };
const STATEMENT_START: CompletionContext = { kind: "statementStart", afterClaimSymmetries: false };
const SETTING_NAMES = CHECK_SETTINGS.map((setting) => setting.name);
const CLOSERS: Record<string, string> = { "[": "]", "(": ")", "{": "}" };

function contextOf(tokens: Token[]): CompletionContext {
  const statement = currentStatement(tokens);
  if (!statement) return STATEMENT_START;
  const [keyword, ...rest] = statement;
  switch (keyword.text) {
    case "model":
      return rest.length === 0 ? NOTHING : STATEMENT_START;
    case "input":
    case "output":
      return tensorDeclarationContext(keyword.text, rest);
    case "symmetry":
      return symmetryContext(rest);
    case "invariant":
    case "equivariant":
      return claimContext(rest);
    default:
      return checkContext(rest);
  }
}

/**
 * The tokens of the statement the cursor is in, from its keyword. A statement keyword at the top
 * level starts a statement; one inside unclosed brackets does too (the user forgot to close
 * them), except `input` inside a check block, where it is a setting.
 */
function currentStatement(tokens: Token[]): Token[] | undefined {
  let start = -1;
  let open: string[] = [];
  tokens.forEach((token, index) => {
    if (token.kind === "word" && (STATEMENT_KEYWORDS as readonly string[]).includes(token.text) && !(token.text === "input" && open.includes("{"))) {
      start = index;
      open = [];
    } else if (token.kind === "punctuation" && Object.hasOwn(CLOSERS, token.text)) {
      open.push(token.text);
    } else if (open.length && CLOSERS[open[open.length - 1]] === token.text) {
      open.pop();
    }
  });
  return start < 0 ? undefined : tokens.slice(start);
}

function tensorDeclarationContext(direction: "input" | "output", rest: Token[]): CompletionContext {
  if (rest.length === 0) return { kind: "tensorName", direction };
  const tensorName = rest[0].kind === "word" || rest[0].kind === "string" ? rest[0].value : undefined;
  const bracket = rest.findIndex((token) => token.text === "[");
  if (bracket < 0) return rest.length === 1 ? { kind: "axisList", direction, tensorName } : NOTHING;
  const inside = rest.slice(bracket + 1);
  if (inside.some((token) => token.text === "]")) return STATEMENT_START;
  const element = afterLast(inside, ",");
  if (element.some((token) => token.text === "=")) return NOTHING;
  if (element.some((token) => token.text === ":")) return last(element)?.text === ":" ? { kind: "axisKind" } : NOTHING;
  if (element.length > 0) return NOTHING;
  return { kind: "axisName", direction, tensorName, index: inside.filter((token) => token.text === ",").length };
}

function symmetryContext(rest: Token[]): CompletionContext {
  if (rest.length < 2 || rest[1].text !== "=") return NOTHING;
  if (rest.length === 2) return { kind: "constructor" };
  const constructorName = rest[2].text;
  if (rest[3]?.text !== "(") return NOTHING;
  const inside = rest.slice(4);
  if (inside.some((token) => token.text === ")")) return STATEMENT_START;
  const argument = afterLast(inside, ",");
  if (argument.length > 0) return NOTHING;
  const written = inside.filter((token) => token.kind === "word" || token.kind === "string").map((token) => token.value);
  return { kind: "constructorArgument", constructorName, written };
}

function claimContext(rest: Token[]): CompletionContext {
  const under = rest.findIndex((token) => token.text === "under");
  if (under < 0) {
    const written = rest.filter((token) => token.kind !== "punctuation").map((token) => token.value);
    return rest.length === 0 || last(rest)?.text === "," ? { kind: "claimOutput", written } : { kind: "under" };
  }
  const symmetries = rest.slice(under + 1);
  const within = symmetries.findIndex((token) => token.text === "within");
  if (within >= 0) return within < symmetries.length - 1 ? STATEMENT_START : NOTHING;
  if (symmetries.length === 0 || last(symmetries)?.text === ",") {
    return { kind: "claimSymmetry", written: symmetries.filter((token) => token.kind === "word").map((token) => token.text) };
  }
  return { kind: "statementStart", afterClaimSymmetries: true };
}

function checkContext(rest: Token[]): CompletionContext {
  if (rest[0]?.text !== "{") return NOTHING;
  const body = rest.slice(1);
  if (body.some((token) => token.text === "}")) return STATEMENT_START;
  const setting = currentSetting(body);
  if (!setting) return { kind: "setting" };
  const [name, ...values] = setting;
  switch (name.text) {
    case "size":
      return sizeSettingContext(values);
    case "input":
      return inputSettingContext(values);
    default:
      return values.length === 0 ? NOTHING : { kind: "setting" };
  }
}

/** A setting starts with its name where the previous setting ended (after `{`, a number, a string or a `)`). */
function currentSetting(body: Token[]): Token[] | undefined {
  let start = -1;
  body.forEach((token, index) => {
    const previous = body[index - 1];
    const previousEnded = !previous || previous.kind === "number" || previous.kind === "string" || previous.text === ")";
    if (token.kind === "word" && SETTING_NAMES.includes(token.text) && previousEnded) start = index;
  });
  return start < 0 ? undefined : body.slice(start);
}

function sizeSettingContext(values: Token[]): CompletionContext {
  const lastToken = last(values);
  if (!lastToken || lastToken.text === ",") {
    return { kind: "sizeAxis", written: values.filter((token) => token.kind === "word").map((token) => token.text) };
  }
  return lastToken.kind === "number" ? { kind: "setting" } : NOTHING;
}

/** `input NAME ~ dist(ARGS)`, `input NAME = VALUE`, `input NAME from "FILE"`. */
function inputSettingContext(values: Token[]): CompletionContext {
  if (values.length === 0) return { kind: "settingInput" };
  const [, operator, ...rest] = values;
  if (operator?.text === "~" && rest.length === 0) return { kind: "distribution" };
  const lastToken = last(rest);
  const ended =
    (operator?.text === "~" && lastToken?.text === ")") ||
    (operator?.text === "=" && lastToken?.kind === "number") ||
    (operator?.text === "from" && lastToken?.kind === "string");
  return ended ? { kind: "setting" } : NOTHING;
}

function afterLast(tokens: Token[], separator: string): Token[] {
  const index = tokens.map((token) => token.text).lastIndexOf(separator);
  return tokens.slice(index + 1);
}

function last<T>(items: T[]): T | undefined {
  return items[items.length - 1];
}

// ---------------------------------------------------------------------------------------------
// What to offer

interface Request {
  analysis: SpecAnalysis;
  prefixRange: Range;
  quotedPrefix: boolean;
  /** The rest of the line after the word being typed, so snippets do not repeat what follows. */
  textAfter: string;
}

/** A completion item before its edit range is known. */
interface Candidate {
  label: string;
  kind: CompletionItemKind;
  /** Inserted text; a snippet when `snippet` is set. Defaults to the label. */
  insert?: string;
  snippet?: boolean;
  detail?: string;
  documentation?: string;
  /** Lower sorts first; items without one come after those with one, by label. */
  rank?: number;
}

function itemsFor(context: CompletionContext, request: Request): Candidate[] {
  switch (context.kind) {
    case "nothing":
      return [];
    case "statementStart":
      return [...(context.afterClaimSymmetries ? [keywordCandidate("within", "within ${1:1e-4}")] : []), ...statementKeywords(request)];
    case "tensorName":
      return undeclaredModelTensors(request, context.direction);
    case "axisList":
      return axisListSnippet(request, context.direction, context.tensorName);
    case "axisName":
      return axisNames(request, context.direction, context.tensorName, context.index);
    case "axisKind":
      return axisKinds(request);
    case "constructor":
      return CONSTRUCTORS.map((info) => ({
        label: info.name,
        kind: CompletionItemKind.Function,
        insert: request.textAfter.startsWith("(") ? info.name : info.snippet,
        snippet: !request.textAfter.startsWith("("),
        detail: info.summary,
        documentation: info.doc,
      }));
    case "constructorArgument":
      return constructorArguments(request, context.constructorName, context.written);
    case "claimOutput":
      return declaredTensors(request, "output").filter((candidate) => !context.written.includes(candidate.label));
    case "under":
      return [keywordCandidate("under", "under ${1:symmetry}")];
    case "claimSymmetry":
      return declaredSymmetries(request.analysis.spec)
        .filter((symmetry) => !context.written.includes(symmetry.name))
        .map((symmetry) => ({ label: symmetry.name, kind: CompletionItemKind.Class, detail: constructorSummary(symmetry.constructorName) }));
    case "setting":
      return CHECK_SETTINGS.map((setting) => ({ label: setting.name, kind: CompletionItemKind.Property, insert: setting.snippet, snippet: true, documentation: setting.doc }));
    case "sizeAxis":
      return sizeAxes(request, context.written);
    case "settingInput":
      return settingInputs(request);
    case "distribution":
      return DISTRIBUTIONS.map((distribution) => ({
        label: distribution.name,
        kind: CompletionItemKind.Function,
        insert: `${distribution.name}(${distribution.params.map((param, index) => `\${${index + 1}:${distribution.defaults[index] ?? param}}`).join(", ")})`,
        snippet: true,
        detail: `${distribution.name}(${distribution.params.join(", ")})`,
      }));
  }
}

const STATEMENT_SNIPPETS: Record<(typeof STATEMENT_KEYWORDS)[number], string> = {
  model: 'model "${1:model.onnx}"',
  input: "input ${1:name} [${2:axes}]",
  output: "output ${1:name} [${2:axes}]",
  symmetry: "symmetry ${1:name} = ${2:translate}(${3:axes})",
  invariant: "invariant ${1:output} under ${2:symmetry}",
  equivariant: "equivariant ${1:output} under ${2:symmetry}",
  check: "check {\n\t$0\n}",
};

function statementKeywords(request: Request): Candidate[] {
  const hasModelStatement = request.analysis.spec.statements.some((statement) => statement.kind === "model");
  return STATEMENT_KEYWORDS.filter((keyword) => keyword !== "model" || !hasModelStatement).map((keyword) => keywordCandidate(keyword, STATEMENT_SNIPPETS[keyword]));
}

function keywordCandidate(keyword: string, snippet: string): Candidate {
  return { label: keyword, kind: CompletionItemKind.Keyword, insert: snippet, snippet: true, detail: KEYWORD_DOCS[keyword] };
}

function modelTensors(analysis: SpecAnalysis, direction: "input" | "output"): ValueInfo[] | undefined {
  const load = analysis.model?.load;
  if (!load?.ok) return undefined;
  return direction === "input" ? modelInputs(load.model.graph) : load.model.graph.outputs;
}

function tensorDeclarations(spec: ast.SpecFile, direction?: "input" | "output"): ast.TensorDeclaration[] {
  return spec.statements.filter((statement): statement is ast.TensorDeclaration => statement.kind === "tensor" && (!direction || statement.direction === direction));
}

/** After `input`/`output`: the model's tensors of that direction not declared yet, with their axis lists to fill in. */
function undeclaredModelTensors(request: Request, direction: "input" | "output"): Candidate[] {
  const declared = new Set(tensorDeclarations(request.analysis.spec, direction).flatMap((declaration) => (declaration.name ? [declaration.name.text] : [])));
  const tensors = modelTensors(request.analysis, direction) ?? [];
  const fillAxes = !request.textAfter.startsWith("[");
  return tensors
    .filter((tensor) => !declared.has(tensor.name))
    .map((tensor) => {
      const axes = fillAxes ? axisList(tensor) : undefined;
      return {
        label: tensor.name,
        kind: CompletionItemKind.Variable,
        insert: escapeSnippet(formatName(tensor.name)) + (axes ? ` ${axes.snippet}` : ""),
        snippet: true,
        detail: describeType(tensor.type),
        documentation: tensor.docString,
      };
    });
}

/** `[_, _]` and its snippet `[${1:_}, ${2:_}]`: one tab stop per dimension, when the rank is known. */
function axisList(tensor: ValueInfo): { text: string; snippet: string } | undefined {
  if (tensor.type?.kind !== "tensor" || !tensor.type.shape) return undefined;
  const dims = tensor.type.shape;
  return {
    text: `[${dims.map(() => ANONYMOUS_AXIS).join(", ")}]`,
    snippet: `[${dims.map((_, index) => `\${${index + 1}:${ANONYMOUS_AXIS}}`).join(", ")}]`,
  };
}

/** After `input NAME`: the axis list, with the right number of entries. */
function axisListSnippet(request: Request, direction: "input" | "output", tensorName: string | undefined): Candidate[] {
  const tensor = modelTensors(request.analysis, direction)?.find((candidate) => candidate.name === tensorName);
  const axes = tensor && axisList(tensor);
  return axes ? [{ label: axes.text, kind: CompletionItemKind.Snippet, insert: axes.snippet, snippet: true, detail: describeType(tensor.type) }] : [];
}

/**
 * In an axis list: the axis names declared anywhere, `_`, and the model's own name for the
 * dimension. Names that fit the dimension come first: axes declared on the same model
 * dimension (`batch` where the model says `N` elsewhere too) or the same static size.
 */
function axisNames(request: Request, direction: "input" | "output", tensorName: string | undefined, index: number): Candidate[] {
  const tensor = modelTensors(request.analysis, direction)?.find((candidate) => candidate.name === tensorName);
  const dim = tensor?.type?.kind === "tensor" ? tensor.type.shape?.[index] : undefined;
  const modelDim = dim && describeDim(dim);
  const axes = declaredAxes(request.analysis);
  const candidates: Candidate[] = [...axes].map(([name, { sizes, modelDims }]) => ({
    label: name,
    kind: CompletionItemKind.TypeParameter,
    detail: sizes.size ? `size ${[...sizes].join(" or ")}` : undefined,
    rank: modelDim !== undefined && modelDim !== "?" && modelDims.has(modelDim) ? 0 : 2,
  }));
  if (dim?.kind === "symbolic" && isIdentifier(dim.name) && !axes.has(dim.name)) {
    candidates.push({ label: dim.name, kind: CompletionItemKind.TypeParameter, detail: "the model's name for this dimension", rank: 1 });
  }
  candidates.push({ label: ANONYMOUS_AXIS, kind: CompletionItemKind.TypeParameter, detail: "an axis no group acts on", rank: 3 });
  return candidates;
}

/** Every declared axis name (not `_`), with the sizes and the model dimensions (`N`, `16`) it has on bound tensors. */
function declaredAxes(analysis: SpecAnalysis): Map<string, { sizes: Set<number>; modelDims: Set<string> }> {
  const axes = new Map<string, { sizes: Set<number>; modelDims: Set<string> }>();
  for (const declaration of tensorDeclarations(analysis.spec)) {
    for (const axis of declaration.axes) {
      if (axis.name.text && axis.name.text !== ANONYMOUS_AXIS && !axes.has(axis.name.text)) axes.set(axis.name.text, { sizes: new Set(), modelDims: new Set() });
    }
  }
  for (const tensor of analysis.bound.tensors) {
    for (const axis of tensor.axes) {
      const known = axes.get(axis.name);
      if (axis.size !== undefined) known?.sizes.add(axis.size);
      known?.modelDims.add(axis.modelDim);
    }
  }
  return axes;
}

/** After `:` in an axis list: the axis kinds, and the finite symmetries whose regular representation an axis may carry. */
function axisKinds(request: Request): Candidate[] {
  const kinds: Candidate[] = AXIS_KINDS.map((kind) => ({ label: kind.name, kind: CompletionItemKind.EnumMember, documentation: kind.doc, rank: 0 }));
  const finite = declaredSymmetries(request.analysis.spec).flatMap(({ name, constructorName }): Candidate[] => {
    if (constructorName === undefined || !Object.hasOwn(REGULAR_GROUP_ORDERS, constructorName)) return [];
    const detail = `one entry per element of ${constructorName}: size ${REGULAR_GROUP_ORDERS[constructorName]}`;
    return [{ label: name, kind: CompletionItemKind.Class, detail, rank: 1 }];
  });
  return [...kinds, ...finite];
}

function declaredSymmetries(spec: ast.SpecFile): { name: string; constructorName?: string }[] {
  return spec.statements.flatMap((statement) =>
    statement.kind === "symmetry" && statement.name?.text ? [{ name: statement.name.text, constructorName: statement.constructorName?.text }] : [],
  );
}

function constructorSummary(constructorName: string | undefined): string | undefined {
  const info = constructorName === undefined ? undefined : findConstructor(constructorName);
  return info ? `${info.name}: ${info.summary}` : undefined;
}

/** Inside `translate(...)`: axis names (or tensor names for value groups) not listed yet, and unused options. */
function constructorArguments(request: Request, constructorName: string, written: string[]): Candidate[] {
  const info = findConstructor(constructorName);
  if (!info) return [];
  const names =
    info.argumentKind === "axis"
      ? [...declaredAxes(request.analysis).keys()].map((name): Candidate => ({ label: name, kind: CompletionItemKind.TypeParameter }))
      : [...declaredTensors(request, "input"), ...declaredTensors(request, "output")];
  const options = info.options
    .filter((option) => !written.includes(option.name))
    .map((option): Candidate => ({ label: `${option.name}=`, kind: CompletionItemKind.Property, insert: `${option.name}=\${1:${option.min}}`, snippet: true, documentation: option.doc, rank: 1 }));
  return [...names.filter((candidate) => !written.includes(candidate.label)).map((candidate) => ({ ...candidate, rank: 0 })), ...options];
}

/** Declared tensors of a direction, written as the spec writes them. */
function declaredTensors(request: Request, direction: "input" | "output"): Candidate[] {
  const bound = request.analysis.bound.tensors;
  return tensorDeclarations(request.analysis.spec, direction).flatMap((declaration): Candidate[] => {
    if (!declaration.name?.text) return [];
    const tensor = bound.find((candidate) => candidate.declaration === declaration);
    return [
      {
        label: declaration.name.text,
        kind: CompletionItemKind.Variable,
        insert: escapeSnippet(formatName(declaration.name.text)),
        snippet: true,
        detail: `${direction} ${tensor ? describeType(tensor.valueInfo.type) : ""}`.trim(),
      },
    ];
  });
}

/** After `size`: declared axes not sized yet in this setting; those the model leaves dynamic first. */
function sizeAxes(request: Request, written: string[]): Candidate[] {
  const dynamic = new Set(request.analysis.bound.tensors.flatMap((tensor) => tensor.axes.filter((axis) => !/^\d+$/.test(axis.modelDim)).map((axis) => axis.name)));
  return [...declaredAxes(request.analysis).keys()]
    .filter((name) => !written.includes(name))
    .map((name) => ({
      label: name,
      kind: CompletionItemKind.TypeParameter,
      insert: `${name} = \${1:2}`,
      snippet: true,
      detail: dynamic.has(name) ? "dynamic in the model" : undefined,
      rank: dynamic.has(name) ? 0 : 1,
    }));
}

/** After `input` in a check block: the model's inputs (declared or not: undeclared ones are sampled too). */
function settingInputs(request: Request): Candidate[] {
  const tensors = modelTensors(request.analysis, "input");
  if (!tensors) return declaredTensors(request, "input");
  return tensors.map((tensor) => ({
    label: tensor.name,
    kind: CompletionItemKind.Variable,
    insert: escapeSnippet(formatName(tensor.name)),
    snippet: true,
    detail: describeType(tensor.type),
  }));
}

/** Snippet syntax gives `$`, `}` and `\` meanings; names may contain them. */
function escapeSnippet(text: string): string {
  return text.replace(/[$}\\]/g, "\\$&");
}

function toItem(candidate: Candidate, request: Request): CompletionItem {
  const newText = candidate.insert ?? candidate.label;
  const item: CompletionItem = {
    label: candidate.label,
    kind: candidate.kind,
    textEdit: { range: request.prefixRange, newText },
  };
  if (candidate.snippet) item.insertTextFormat = InsertTextFormat.Snippet;
  if (candidate.detail) item.detail = candidate.detail;
  if (candidate.documentation) item.documentation = { kind: MarkupKind.Markdown, value: candidate.documentation };
  if (candidate.rank !== undefined) item.sortText = `${candidate.rank}_${candidate.label}`;
  // The editor filters on the text the edit replaces: a quoted name being typed starts with `"`.
  if (request.quotedPrefix) item.filterText = JSON.stringify(candidate.label);
  return item;
}
