/**
 * Checks of `symmetry` statements: the constructor, its arguments and options, and whether
 * the axes it names can carry the group (equal sizes for a plane, 2 or 3 for rotations).
 */
import { listInWords } from "../../common/suggest";
import type { Range } from "../../common/text";
import type { SymmetryDeclaration } from "../../dsl/ast";
import { CONSTRUCTORS, findConstructor, type ConstructorInfo } from "../../dsl/vocabulary";
import type { Accept, BindContext, Check } from "../context";
import { constructorExample, didYouMean, isIdentifier, listSome, plural, quote, replaceFix, suggestionFix, verbatim } from "../fixes";
import { isName, isNumberLiteral, isRotationConstructor, positionalNames, takesAxes, tensorArguments } from "../meaning";
import { halfPlane } from "../actions";
import { ANONYMOUS_AXIS } from "../symbols";

export const duplicateSymmetryChecks: readonly Check<SymmetryDeclaration>[] = [notDeclaredBefore];

export const symmetryChecks: readonly Check<SymmetryDeclaration>[] = [
  constructorIsKnown,
  argumentCountMatches,
  argumentsHaveTheRightForm,
  axesAreDeclared,
  argumentsAreDistinct,
  optionsAreValid,
  planeAxesHaveOneSize,
  rotatedAxesHaveTwoOrThreeComponents,
  listedTensorsExist,
  // Last: only judged once the statement has no errors.
  actsOnAnInput,
  inputsHaveWholePlanes,
];

function notDeclaredBefore(declaration: SymmetryDeclaration, accept: Accept, context: BindContext): void {
  const name = declaration.name;
  const first = name && context.symbols.symmetries.get(name.text);
  if (!name || !first || first === declaration) return;
  accept("error", "bind.duplicate-symmetry", `a symmetry ${name.text} is already declared on line ${first.range.start.line + 1}; give this one another name`, name.range);
}

function constructorOf(declaration: SymmetryDeclaration): ConstructorInfo | undefined {
  return findConstructor(declaration.constructorName?.text ?? "");
}

function constructorIsKnown(declaration: SymmetryDeclaration, accept: Accept): void {
  const written = declaration.constructorName;
  if (!written || constructorOf(declaration)) return;
  const suggestion = suggestionFix(written.range, written.text, CONSTRUCTORS.map((known) => known.name), verbatim);
  const choices = suggestion ? didYouMean(suggestion) : `; the groups are ${listInWords(CONSTRUCTORS.map((known) => known.name))}`;
  accept("error", "bind.unknown-group", `unknown group ${quote(written.text)}${choices}`, written.range, suggestion && [suggestion]);
}

/** The positional arguments (not options) that have a value. */
function positionalArguments(declaration: SymmetryDeclaration) {
  return declaration.args.filter((arg) => !arg.option && arg.value);
}

function argumentCountMatches(declaration: SymmetryDeclaration, accept: Accept): void {
  const info = constructorOf(declaration);
  if (!info) return;
  const given = positionalArguments(declaration).length;
  if (given >= info.minArgs && given <= info.maxArgs) return;
  const noun = info.argumentKind === "axis" ? ["axis", "axes"] : ["tensor", "tensors"];
  const expected = info.maxArgs === Infinity ? `one or more ${noun[1]}` : plural(info.minArgs, noun[0], noun[1]);
  accept(
    "error",
    "bind.argument-count",
    `${info.name} takes ${expected}, as in ${constructorExample(info)}, but ${given} ${given === 1 ? "is" : "are"} given`,
    declaration.argsRange ?? declaration.constructorName?.range ?? declaration.range,
  );
}

function argumentsHaveTheRightForm(declaration: SymmetryDeclaration, accept: Accept): void {
  const info = constructorOf(declaration);
  if (!info) return;
  for (const { value } of positionalArguments(declaration)) {
    if (!value) continue;
    if (isNumberLiteral(value)) {
      const [code, noun] = info.argumentKind === "axis" ? ["bind.expected-axis", "an axis"] : ["bind.expected-tensor", "a tensor"];
      accept("error", code, `${info.name} expects ${noun} name here, not the number ${value.text}`, value.range);
      continue;
    }
    if (info.argumentKind !== "axis" || (isName(value) && !value.quoted)) continue;
    const text = isName(value) ? value.text : String(value.value);
    const unquote = isIdentifier(text) ? [replaceFix(`Write ${text} without quotes`, value.range, text)] : undefined;
    accept("error", "bind.expected-axis", `axis names are written without quotes: ${info.name} acts on an axis declared in a tensor's brackets`, value.range, unquote);
  }
}

function axesAreDeclared(declaration: SymmetryDeclaration, accept: Accept, context: BindContext): void {
  if (!takesAxes(declaration)) return;
  const declared = context.symbols.axisNames();
  for (const name of positionalNames(declaration)) {
    if (context.symbols.axes.has(name.text)) continue;
    if (name.text === ANONYMOUS_AXIS) {
      accept("error", "bind.unknown-axis", "`_` marks an axis that no group acts on; give the axis a name in its tensor to act on it", name.range);
      continue;
    }
    const suggestion = suggestionFix(name.range, name.text, declared, verbatim);
    const known = declared.length ? `declared axes are ${listInWords(listSome(declared), "and")}` : "declare the tensors' axes with `input NAME [AXES]`";
    accept("error", "bind.unknown-axis", `no tensor declares an axis ${quote(name.text)}; ${known}${didYouMean(suggestion)}`, name.range, suggestion && [suggestion]);
  }
}

function argumentsAreDistinct(declaration: SymmetryDeclaration, accept: Accept): void {
  const named = takesAxes(declaration) ? positionalNames(declaration).map((name) => ({ name: name.text, range: name.range })) : tensorArguments(declaration);
  const options: { name: string; range: Range }[] = [];
  for (const { option } of declaration.args) if (option) options.push({ name: option.text, range: option.range });
  for (const list of [named, options]) {
    list.forEach(({ name, range }, index) => {
      // Lists of a few arguments: a search is cheaper than a set per statement.
      if (list.findIndex((other) => other.name === name) < index) accept("error", "bind.duplicate-argument", `${name} is given twice; name it once`, range);
    });
  }
}

function optionsAreValid(declaration: SymmetryDeclaration, accept: Accept): void {
  const info = constructorOf(declaration);
  if (!info) return;
  for (const arg of declaration.args) {
    const option = arg.option;
    if (!option) continue;
    const known = info.options.find((candidate) => candidate.name === option.text);
    if (!known) {
      reportUnknownOption(info, option.text, option.range, accept);
      continue;
    }
    const value = arg.value;
    if (isNumberLiteral(value) && Number.isInteger(value.value) && value.value >= known.min) continue;
    const written = value ? (isNumberLiteral(value) ? value.text : isName(value) ? value.text : JSON.stringify(value.value)) : "nothing";
    accept("error", "bind.bad-option-value", `${option.text} is a whole number of at least ${known.min}, not ${written}`, value?.range ?? arg.range);
  }
}

function reportUnknownOption(info: ConstructorInfo, written: string, range: Range, accept: Accept): void {
  if (!info.options.length) {
    accept("error", "bind.unknown-option", `${info.name} has no options`, range);
    return;
  }
  const names = info.options.map((option) => option.name);
  const suggestion = suggestionFix(range, written, names, verbatim);
  accept("error", "bind.unknown-option", `${info.name} has no option ${quote(written)}; its options are ${listInWords(names, "and")}${didYouMean(suggestion)}`, range, suggestion && [suggestion]);
}

/** The size an axis has wherever it is declared with one (checked to agree elsewhere). */
function sizeOfAxis(name: string, context: BindContext): { size: number; tensor: string } | undefined {
  for (const occurrence of context.symbols.occurrences(name)) {
    const size = context.symbols.resolvedSize(occurrence);
    if (size !== undefined) return { size, tensor: occurrence.tensor.name.text };
  }
  return undefined;
}

function planeAxesHaveOneSize(declaration: SymmetryDeclaration, accept: Accept, context: BindContext): void {
  const constructor = declaration.constructorName?.text;
  if (constructor !== "rotate90" && constructor !== "dihedral") return;
  const [first, second] = positionalNames(declaration);
  if (!first || !second) return;
  const firstSize = sizeOfAxis(first.text, context);
  const secondSize = sizeOfAxis(second.text, context);
  if (!firstSize || !secondSize || firstSize.size === secondSize.size) return;
  accept(
    "error",
    "bind.plane-size-mismatch",
    `${constructor} turns ${first.text} into ${second.text}, so they need one size, but ${first.text} is ${firstSize.size} (on ${firstSize.tensor}) and ${second.text} is ${secondSize.size} (on ${secondSize.tensor})`,
    declaration.argsRange ?? first.range,
  );
}

function rotatedAxesHaveTwoOrThreeComponents(declaration: SymmetryDeclaration, accept: Accept, context: BindContext): void {
  const constructor = declaration.constructorName?.text;
  if (!isRotationConstructor(constructor)) return;
  const [axis] = positionalNames(declaration);
  if (!axis) return;
  for (const occurrence of context.symbols.occurrences(axis.text)) {
    const size = context.symbols.resolvedSize(occurrence);
    if (size === undefined || size === 2 || size === 3) continue;
    accept(
      "error",
      "bind.rotation-axis-size",
      `${constructor} rotates ${axis.text} as a vector of 2 or 3 components, but ${axis.text} has size ${size} on ${occurrence.tensor.name.text}`,
      axis.range,
    );
    return;
  }
}

function listedTensorsExist(declaration: SymmetryDeclaration, accept: Accept, context: BindContext): void {
  const symbols = context.symbols;
  // An unknown constructor's arguments are neither axes nor tensors: its own error says enough.
  if (constructorOf(declaration)?.argumentKind !== "tensor" || !symbols.model) return;
  const known = [...symbols.tensorsByName.keys(), ...symbols.modelValues("input").map((value) => value.name), ...symbols.modelValues("output").map((value) => value.name)];
  for (const { name, range } of tensorArguments(declaration)) {
    if (known.includes(name)) continue;
    const suggestion = suggestionFix(range, name, new Set(known));
    accept(
      "error",
      "bind.unknown-tensor",
      `${declaration.constructorName?.text} names ${quote(name)}, which is neither declared nor an input or output of the model${didYouMean(suggestion)}`,
      range,
      suggestion && [suggestion],
    );
  }
}

/**
 * A symmetry that moves no input leaves the model's inputs as they are: every claim under it
 * compares the model's outputs with themselves, which tells nothing.
 */
function actsOnAnInput(declaration: SymmetryDeclaration, accept: Accept, context: BindContext): void {
  if (!declaration.name || !constructorOf(declaration) || context.hasErrors(declaration)) return;
  const symbols = context.symbols;
  if (takesAxes(declaration)) {
    const axes = positionalNames(declaration).map((name) => name.text);
    const inputAxes = symbols.inputAxes();
    const moved = axes.some((axis) => inputAxes.names.has(axis)) || inputAxes.kinds.has(declaration.name.text);
    if (moved) return;
    accept(
      "warning",
      "bind.acts-on-no-input",
      `${declaration.name.text} acts on no input: no declared input has an axis ${listInWords(axes)}, so the model sees the same inputs under it`,
      declaration.name.range,
    );
    return;
  }
  const listed = tensorArguments(declaration).map((arg) => arg.name);
  const direction = (name: string) =>
    symbols.tensorsByName.get(name)?.declaration.direction ?? (symbols.modelValue("input", name) ? "input" : symbols.modelValue("output", name) ? "output" : undefined);
  const directions = listed.map(direction);
  // Without a model an undeclared name may be an input: nothing to say.
  if (directions.includes("input") || directions.includes(undefined)) return;
  accept(
    "warning",
    "bind.acts-on-no-input",
    `${declaration.name.text} acts on no input: ${declaration.constructorName?.text} lists only outputs, so the model sees the same inputs under it; list an input`,
    declaration.name.range,
  );
}

/** An input with one axis of a quarter-turn plane and not the other: the group has no action on it, so it cannot move the model's inputs. */
function inputsHaveWholePlanes(declaration: SymmetryDeclaration, accept: Accept, context: BindContext): void {
  if (!declaration.name || context.hasErrors(declaration)) return;
  const group = context.symbols.group(declaration);
  if (!group) return;
  for (const tensor of context.symbols.tensors) {
    if (tensor.duplicateOf || tensor.declaration.direction !== "input") continue;
    const half = halfPlane(group, tensor.declaration.axes.map((axis) => axis.name.text));
    if (!half) continue;
    accept(
      "error",
      "bind.half-plane",
      `${declaration.name.text} turns the ${half.plane} plane, but the input ${tensor.name.text} has ${half.has} and no ${half.lacks}, so ${declaration.name.text} has no action on it; declare both axes on ${tensor.name.text}`,
      declaration.name.range,
    );
  }
}
