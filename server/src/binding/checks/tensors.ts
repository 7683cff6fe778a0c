/**
 * Checks of `input` and `output` declarations: the name against the model's graph, the axes
 * against its shape, the axis kinds against the language and the declared symmetries.
 */
import type { Fix } from "../../common/diagnostic";
import { listInWords } from "../../common/suggest";
import { AXIS_KINDS, findConstructor } from "../../dsl/vocabulary";
import { describeType } from "../../onnx/model";
import type { Accept, BindContext, Check } from "../context";
import { didYouMean, formatName, modelValuesInWords, plural, quote, replaceFix, suggestionFix } from "../fixes";
import { finiteGroupOrder, isGeometricKind } from "../meaning";
import { ANONYMOUS_AXIS, type AxisOccurrence, type DeclaredTensor } from "../symbols";
import { dynamicDimsHaveSizes } from "./dynamicDims";

/** The most alternative names offered as fixes when no name is near the one written. */
const MAX_NAME_FIXES = 5;

export const duplicateTensorChecks: readonly Check<DeclaredTensor>[] = [notDeclaredBefore];

export const tensorChecks: readonly Check<DeclaredTensor>[] = [
  namedInModel,
  isTensorOfDeclaredRank,
  declaredSizesAgreeWithModel,
  axisKindsAreKnown,
  regularAxesHaveGroupOrder,
  repeatedAxesHaveOneSize,
  actedAxesHaveOneSize,
  dynamicDimsHaveSizes,
];

function notDeclaredBefore(tensor: DeclaredTensor, accept: Accept): void {
  const first = tensor.duplicateOf;
  if (!first) return;
  accept(
    "error",
    "bind.duplicate-tensor",
    `${tensor.name.text} is already declared on line ${first.declaration.range.start.line + 1}; declare each tensor once`,
    tensor.name.range,
    [replaceFix("Remove this declaration", tensor.declaration.range, "")],
  );
}

function namedInModel(tensor: DeclaredTensor, accept: Accept, context: BindContext): void {
  const symbols = context.symbols;
  const graph = symbols.model?.graph;
  if (!graph || tensor.valueInfo) return;
  const { direction, keyword } = tensor.declaration;
  const name = tensor.name.text;
  const other = direction === "input" ? "output" : "input";
  if (symbols.modelValue(other, name)) {
    accept("error", "bind.wrong-direction", `${name} is an ${other} of the model, not an ${direction}; declare it with \`${other}\``, keyword, [
      replaceFix(`Change to ${other}`, keyword, other),
    ]);
    return;
  }
  const code = direction === "input" ? "bind.unknown-input" : "bind.unknown-output";
  if (direction === "input" && graph.initializers.has(name)) {
    accept("error", code, `${name} is a weight of the model (it has an initializer), not an input you feed; undeclared weights keep their values`, tensor.name.range);
    return;
  }
  const known = symbols.modelValues(direction).map((value) => value.name);
  const suggestion = suggestionFix(tensor.name.range, name, known);
  const undeclared = known.filter((candidate) => !symbols.tensorsByName.has(candidate));
  const fixes: Fix[] = suggestion
    ? [suggestion]
    : undeclared.slice(0, MAX_NAME_FIXES).map((candidate) => replaceFix(`Change to ${formatName(candidate)}`, tensor.name.range, formatName(candidate), undeclared.length === 1));
  accept("error", code, `the model has no ${direction} ${quote(name)}; ${modelValuesInWords(direction, known)}${didYouMean(suggestion)}`, tensor.name.range, fixes);
}

function isTensorOfDeclaredRank(tensor: DeclaredTensor, accept: Accept): void {
  const type = tensor.valueInfo?.type;
  if (!tensor.valueInfo) return;
  const name = tensor.name.text;
  if (type?.kind !== "tensor") {
    accept("error", "bind.not-a-tensor", `${name} is not a tensor in the model (${describeType(type)}); symmetries act on tensors`, tensor.name.range);
    return;
  }
  const declared = tensor.declaration.axes.length;
  if (!type.shape || type.shape.length === declared) return;
  accept(
    "error",
    "bind.rank-mismatch",
    `${name} has ${plural(type.shape.length, "axis", "axes")} in the model (${describeType(type)}), but ${plural(declared, "axis", "axes")} ${declared === 1 ? "is" : "are"} declared here; name each axis once`,
    tensor.declaration.axesRange ?? tensor.name.range,
  );
}

function declaredSizesAgreeWithModel(tensor: DeclaredTensor, accept: Accept, context: BindContext): void {
  tensor.declaration.axes.forEach((axis, index) => {
    if (!axis.size) return;
    if (context.symbols.declaredSize(axis) === undefined) {
      accept("error", "bind.bad-size", `an axis size is a whole number of at least 1, not ${axis.size.text}`, axis.size.range);
      return;
    }
    const modelSize = context.symbols.staticSize({ tensor, axis, index });
    if (modelSize === undefined || modelSize === axis.size.value) return;
    accept(
      "error",
      "bind.size-mismatch",
      `${axis.name.text} is ${modelSize} in the model (${describeType(tensor.valueInfo?.type)}), not ${axis.size.text}; \`= N\` is for dynamic dims`,
      axis.size.range,
      [replaceFix(`Change to ${modelSize}`, axis.size.range, String(modelSize))],
    );
  });
}

function axisKindsAreKnown(tensor: DeclaredTensor, accept: Accept, context: BindContext): void {
  const symmetries = context.symbols.symmetries;
  for (const axis of tensor.declaration.axes) {
    const kind = axis.axisKind;
    if (!kind || isGeometricKind(kind.text) || finiteGroupOrder(symmetries.get(kind.text)) !== undefined) continue;
    const finiteSymmetries = context.symbols.finiteSymmetryNames();
    const symmetry = symmetries.get(kind.text);
    const constructor = symmetry?.constructorName?.text;
    // A symmetry whose constructor is missing or unknown is reported on its own line.
    if (symmetry && !findConstructor(constructor ?? "")) continue;
    const choices = `an axis kind is vector, pseudovector, point, or the name of a flip, rotate90 or dihedral symmetry${finiteSymmetries.length ? ` (here: ${listInWords(finiteSymmetries, "or")})` : ""}`;
    if (symmetry) {
      accept("error", "bind.not-finite-group", `${kind.text} is a ${constructor} symmetry, which has no regular representation on an axis; ${choices}`, kind.range);
      continue;
    }
    const suggestion = suggestionFix(kind.range, kind.text, [...AXIS_KINDS.map((known) => known.name), ...finiteSymmetries]);
    accept("error", "bind.unknown-axis-kind", `unknown axis kind ${quote(kind.text)}; ${choices}${didYouMean(suggestion)}`, kind.range, suggestion && [suggestion]);
  }
}

function regularAxesHaveGroupOrder(tensor: DeclaredTensor, accept: Accept, context: BindContext): void {
  const symbols = context.symbols;
  tensor.declaration.axes.forEach((axis, index) => {
    if (!axis.axisKind) return;
    const symmetry = symbols.symmetries.get(axis.axisKind.text);
    const order = finiteGroupOrder(symmetry);
    const size = symbols.resolvedSize({ tensor, axis, index });
    if (order === undefined || size === undefined || size === order) return;
    accept(
      "error",
      "bind.regular-size",
      `${axis.name.text} carries the regular representation of ${axis.axisKind.text} (${symmetry?.constructorName?.text}: ${order} elements), so its size must be ${order}, not ${size}`,
      axis.range,
    );
  });
}

/** `adj [batch, node, node]`: a name repeated within a tensor is acted on as one, so its sizes must agree. */
function repeatedAxesHaveOneSize(tensor: DeclaredTensor, accept: Accept, context: BindContext): void {
  const seen = new Map<string, number>();
  tensor.declaration.axes.forEach((axis, index) => {
    const size = context.symbols.knownSize({ tensor, axis, index });
    if (size === undefined || axis.name.text === ANONYMOUS_AXIS) return;
    const earlier = seen.get(axis.name.text);
    if (earlier === undefined) {
      seen.set(axis.name.text, size);
      return;
    }
    if (earlier === size) return;
    accept(
      "error",
      "bind.axis-size-conflict",
      `${axis.name.text} appears twice in ${tensor.name.text} with different sizes (${earlier} and ${size}); a repeated axis is acted on as one, so both must have one size`,
      axis.range,
    );
  });
}

/** An axis that a symmetry acts on moves jointly on every tensor, so it needs one size everywhere. */
function actedAxesHaveOneSize(tensor: DeclaredTensor, accept: Accept, context: BindContext): void {
  const symbols = context.symbols;
  tensor.declaration.axes.forEach((axis, index) => {
    const symmetry = symbols.actedAxisNames.get(axis.name.text);
    const size = symbols.knownSize({ tensor, axis, index });
    if (symmetry === undefined || size === undefined) return;
    const reference = firstSizedOccurrence(symbols.occurrences(axis.name.text), context);
    if (!reference || reference.tensor === tensor) return;
    const referenceSize = symbols.knownSize(reference);
    if (referenceSize === size) return;
    accept(
      "error",
      "bind.axis-size-conflict",
      `${axis.name.text} is ${size} here but ${referenceSize} on ${reference.tensor.name.text}; ${symmetry} acts on ${axis.name.text}, so it must have one size on every tensor`,
      axis.range,
    );
  });
}

function firstSizedOccurrence(occurrences: AxisOccurrence[], context: BindContext): AxisOccurrence | undefined {
  return occurrences.find((occurrence) => context.symbols.knownSize(occurrence) !== undefined);
}
