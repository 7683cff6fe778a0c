/**
 * Hover: what a name means here, in the terms of the spec and of the model. Tensors show their
 * model type axis by axis and the symmetries acting on them; axes their sizes, tensors and
 * symmetries; symmetries their group and how it acts on each declared tensor; constructors,
 * options, kinds, settings and keywords their documentation; `model` the model it resolved to.
 * In a claim, its keyword and each symmetry's name also explain the static verdicts in full.
 */
import { MarkupKind, type Hover } from "vscode-languageserver-types";
import { actedAxes, actsOn, describeAction } from "../binding/actions";
import type { BoundAxis, BoundTensor } from "../binding/bound";
import { plural } from "../binding/fixes";
import { comparePositions, containsPosition, type Position, type Range } from "../common/text";
import type * as ast from "../dsl/ast";
import { AXIS_KINDS, CHECK_SETTINGS, DISTRIBUTIONS, KEYWORD_DOCS, findConstructor } from "../dsl/vocabulary";
import { describeType, modelInputs } from "../onnx/model";
import type { SpecAnalysis } from "../service/analysis";
import { explain } from "../service/verdicts";
import type { StaticCheck } from "../symmetry/static";
import { occurrenceAt, type Occurrence } from "./occurrences";
import { constructorCall, identifierAt, textIn } from "./sourceText";

export function hover(analysis: SpecAnalysis, position: Position): Hover | undefined {
  const occurrence = occurrenceAt(analysis.spec, position);
  if (occurrence) return markdown(withVerdicts(describeOccurrence(analysis, occurrence), verdictsAt(analysis, occurrence)), occurrence.range);
  const keyword = keywordAt(analysis, position);
  if (!keyword) return undefined;
  const text = keyword.statement?.kind === "model" ? describeModel(analysis, keyword.statement) : `**${keyword.word}**: ${KEYWORD_DOCS[keyword.word]}`;
  const claimChecks = keyword.statement?.kind === "claim" ? analysis.staticChecks.filter((check) => check.claim.declaration === keyword.statement) : [];
  return markdown(withVerdicts(text, claimChecks), keyword.range);
}

/** The static verdict of a claim's symmetry, for its name in the claim. */
function verdictsAt(analysis: SpecAnalysis, occurrence: Occurrence): StaticCheck[] {
  if (occurrence.role !== "symmetry" || occurrence.declaration) return [];
  return analysis.staticChecks.filter(
    (check) => check.symmetry === occurrence.name && check.claim.declaration.symmetries.some((name) => comparePositions(name.range.start, occurrence.range.start) === 0),
  );
}

/** The verdicts' explanations first (in a claim, they are the news), then what the word means. */
function withVerdicts(text: string, checks: readonly StaticCheck[]): string {
  if (checks.length === 0) return text;
  return [...checks.map(describeVerdict), text].join("\n\n---\n\n");
}

function describeVerdict(check: StaticCheck): string {
  const { pair, verdict, facts, meaning } = explain(check);
  const lines = [`**Static check**: \`${pair}\` is **${verdict}**`, ""];
  for (const fact of facts) lines.push(`- ${fact.label}: ${fact.code ? `\`${fact.text}\`` : fact.text}`);
  lines.push("", meaning);
  return lines.join("\n");
}

function markdown(value: string, range: Range): Hover {
  return { contents: { kind: MarkupKind.Markdown, value }, range };
}

function describeOccurrence(analysis: SpecAnalysis, occurrence: Occurrence): string {
  switch (occurrence.role) {
    case "tensor":
      return describeTensor(analysis, occurrence.name, occurrence.direction);
    case "axis":
      return describeAxis(analysis, occurrence.name);
    case "symmetry":
      return describeSymmetry(analysis, occurrence.name);
    case "constructor":
      return describeConstructor(occurrence.name);
    case "option": {
      const option = findConstructor(occurrence.constructorName)?.options.find((candidate) => candidate.name === occurrence.name);
      return option ? `**${option.name}** (option of \`${occurrence.constructorName}\`): ${option.doc}` : `\`${occurrence.name}\` is not an option of \`${occurrence.constructorName}\`.`;
    }
    case "axisKind":
      return `**${occurrence.name}** (axis kind): ${AXIS_KINDS.find((kind) => kind.name === occurrence.name)?.doc ?? ""}`;
    case "setting":
      return `**${occurrence.name}** (check setting): ${CHECK_SETTINGS.find((setting) => setting.name === occurrence.name)?.doc ?? ""}`;
    case "distribution":
      return describeDistribution(occurrence.name);
  }
}

// ---------------------------------------------------------------------------------------------
// Tensors and axes

function describeTensor(analysis: SpecAnalysis, name: string, direction: "input" | "output" | undefined): string {
  const tensor = analysis.bound.tensors.find((candidate) => candidate.name === name && (!direction || candidate.direction === direction));
  if (!tensor) return describeUnboundTensor(analysis, name, direction);
  const lines = [`**${tensor.direction}** \`${tensor.name}\`: \`${describeType(tensor.valueInfo.type)}\``, "", ...tensor.axes.map(describeBoundAxis)];
  const acting = [...analysis.bound.symmetries.values()].filter((symmetry) => actsOn(symmetry, tensor));
  lines.push("", acting.length ? "Symmetries:" : "No declared symmetry acts on it.");
  for (const symmetry of acting) lines.push(`- \`${symmetry.name}\` ${describeAction(symmetry, tensor)}`);
  return lines.join("\n");
}

/** A tensor the binder left out: undeclared (a check input), not in the model, or the model is not loaded. */
function describeUnboundTensor(analysis: SpecAnalysis, name: string, direction: "input" | "output" | undefined): string {
  const load = analysis.model?.load;
  if (!load?.ok) return `**${direction ?? "tensor"}** \`${name}\`: the model is not loaded.`;
  const graph = load.model.graph;
  const candidates = direction === "output" ? graph.outputs : direction === "input" ? modelInputs(graph) : [...modelInputs(graph), ...graph.outputs];
  const valueInfo = candidates.find((candidate) => candidate.name === name);
  if (!valueInfo) return `**${direction ?? "tensor"}** \`${name}\`: the model has no ${direction ?? "input or output"} of this name.`;
  const isInput = modelInputs(graph).includes(valueInfo);
  return `**${isInput ? "input" : "output"}** \`${name}\`: \`${describeType(valueInfo.type)}\`, not declared in the spec.`;
}

/** ``- `batch` = model dim `N`, dynamic (2 in numeric checks)``, ``- `y` = 16``, ``- `xyz` = 3, point``. */
function describeBoundAxis(axis: BoundAxis): string {
  return `- \`${axis.name}\` = ${describeAxisSize(axis)}${describeAxisKind(axis)}`;
}

function describeAxisSize(axis: BoundAxis): string {
  if (/^\d+$/.test(axis.modelDim)) return axis.modelDim;
  const dynamic = axis.modelDim === "?" ? "dynamic" : `model dim \`${axis.modelDim}\`, dynamic`;
  return axis.size === undefined ? dynamic : `${dynamic} (${axis.size} in numeric checks)`;
}

function describeAxisKind(axis: BoundAxis): string {
  if (axis.kind === "plain") return "";
  if (axis.kind === "regular") return `, the regular representation of \`${axis.regularOf}\``;
  return `, ${axis.kind}`;
}

function describeAxis(analysis: SpecAnalysis, name: string): string {
  const lines = [`**axis** \`${name}\``, ""];
  const tensors = analysis.bound.tensors.filter((tensor) => tensor.axes.some((axis) => axis.name === name));
  if (tensors.length) {
    for (const tensor of tensors) lines.push(`- on \`${tensor.name}\` (${tensor.direction}): ${axisOn(tensor, name)}`);
  } else {
    const declaredOn = declaredTensorsWithAxis(analysis.spec, name);
    lines.push(declaredOn.length ? `Declared on ${declaredOn.map((tensor) => `\`${tensor}\``).join(", ")}; the model is not bound.` : "Not declared on any tensor.");
  }
  const acting = [...analysis.bound.symmetries.values()].filter((symmetry) =>
    analysis.bound.tensors.some((tensor) => actedAxes(symmetry, tensor).some((axis) => axis.name === name)),
  );
  lines.push("", acting.length ? `Acted on by ${acting.map((symmetry) => `\`${symmetry.name}\` (${symmetry.declaration.constructorName?.text})`).join(", ")}.` : "No declared symmetry acts on it.");
  return lines.join("\n");
}

/** The axis' size and kind on one tensor; `axes 1 and 2` when the tensor has it twice. */
function axisOn(tensor: BoundTensor, name: string): string {
  const positions = tensor.axes.flatMap((axis, index) => (axis.name === name ? [index] : []));
  const axis = tensor.axes[positions[0]];
  const where = positions.length === 1 ? `axis ${positions[0]}` : `axes ${positions.join(" and ")}`;
  return `${describeAxisSize(axis)}${describeAxisKind(axis)} (${where})`;
}

function declaredTensorsWithAxis(spec: ast.SpecFile, name: string): string[] {
  return spec.statements.flatMap((statement) =>
    statement.kind === "tensor" && statement.name && statement.axes.some((axis) => axis.name.text === name) ? [statement.name.text] : [],
  );
}

// ---------------------------------------------------------------------------------------------
// Symmetries and the vocabulary

function describeSymmetry(analysis: SpecAnalysis, name: string): string {
  const symmetry = analysis.bound.symmetries.get(name);
  const declaration = symmetry?.declaration ?? declaredSymmetry(analysis.spec, name);
  if (!declaration) return `**symmetry** \`${name}\`: not declared.`;
  const info = declaration.constructorName && findConstructor(declaration.constructorName.text);
  const call = constructorCall(analysis.text, declaration);
  const lines = [`**symmetry** \`${name}\`${call ? ` = \`${call}\`` : ""}${info ? `: ${info.summary}` : ""}`];
  if (!symmetry) return lines.join("\n");
  const [acted, untouched] = partition(analysis.bound.tensors, (tensor) => actsOn(symmetry, tensor));
  lines.push("");
  for (const tensor of acted) lines.push(`- \`${tensor.name}\` (${tensor.direction}): ${describeAction(symmetry, tensor)}`);
  if (untouched.length) lines.push("", `Leaves ${untouched.map((tensor) => `\`${tensor.name}\``).join(", ")} unchanged.`);
  return lines.join("\n");
}

function partition<T>(items: T[], test: (item: T) => boolean): [T[], T[]] {
  return [items.filter(test), items.filter((item) => !test(item))];
}

function declaredSymmetry(spec: ast.SpecFile, name: string): ast.SymmetryDeclaration | undefined {
  return spec.statements.find((statement): statement is ast.SymmetryDeclaration => statement.kind === "symmetry" && statement.name?.text === name);
}

function describeConstructor(name: string): string {
  const info = findConstructor(name);
  if (!info) return `\`${name}\` is not a group constructor.`;
  const lines = [`**${info.name}** (group): ${info.summary}`, "", info.doc];
  if (info.options.length) lines.push("", ...info.options.map((option) => `- \`${option.name}=\`: ${option.doc}`));
  return lines.join("\n");
}

function describeDistribution(name: string): string {
  const distribution = DISTRIBUTIONS.find((candidate) => candidate.name === name);
  if (!distribution) return `\`${name}\` is not a distribution: use ${DISTRIBUTIONS.map((candidate) => `\`${candidate.name}\``).join(", ")}.`;
  const defaults = distribution.defaults.length ? `; defaults ${distribution.defaults.join(" and ")}` : "";
  return `**${distribution.name}**(${distribution.params.join(", ")}): how a check draws this input${defaults}.`;
}

// ---------------------------------------------------------------------------------------------
// Keywords and the model

/** A keyword under the cursor: a statement's own, or `under`/`within` in a claim, `from` in a check block. */
function keywordAt(analysis: SpecAnalysis, position: Position): { word: string; range: Range; statement?: ast.Statement } | undefined {
  const statement = analysis.spec.statements.find((candidate) => containsPosition(candidate.range, position));
  if (!statement) return undefined;
  if (containsPosition(statement.keyword, position)) return { word: textIn(analysis.text, statement.keyword), range: statement.keyword, statement };
  if (statement.kind === "model" && statement.path && containsPosition(statement.path.range, position)) return { word: "model", range: statement.path.range, statement };
  const found = identifierAt(analysis.text, position);
  if (!found || analysis.spec.comments.some((comment) => containsPosition(comment, position))) return undefined;
  const inClaim = statement.kind === "claim" && (found.word === "under" || found.word === "within");
  const inCheck = statement.kind === "check" && found.word === "from";
  return inClaim || inCheck ? { word: found.word, range: found.range } : undefined;
}

/** The model a `model` statement resolved to: its path, producer, opsets and size. */
function describeModel(analysis: SpecAnalysis, statement: ast.ModelStatement): string {
  const model = analysis.model;
  // A second `model` statement is an error the binder reports; only the first one is used.
  const isThisStatement = model?.reference.range && comparePositions(model.reference.range.start, statement.range.start) === 0;
  if (!model || !isThisStatement) return `**model**: ${KEYWORD_DOCS.model}`;
  const lines = [`**model** \`${model.reference.path}\``, ""];
  const load = model.load;
  if (!load.ok) {
    lines.push(load.message);
    return lines.join("\n");
  }
  const { producerName, producerVersion, opsetImports, graph } = load.model;
  const producer = producerName ? `${producerName}${producerVersion ? ` ${producerVersion}` : ""}` : "unknown producer";
  const opsets = opsetImports.map((opset) => (opset.domain === "" || opset.domain === "ai.onnx" ? `opset ${opset.version}` : `${opset.domain} ${opset.version}`));
  lines.push(`${producer} · ${opsets.join(", ") || "no opset"} · ${plural(graph.nodes.length, "node")}`);
  lines.push(`${plural(modelInputs(graph).length, "input")}, ${plural(graph.outputs.length, "output")}`);
  return lines.join("\n");
}
