/**
 * Checks of `invariant` and `equivariant` claims: the outputs and symmetries they name, their
 * tolerance, and equivariance claims that are really invariance claims.
 */
import { listInWords } from "../../common/suggest";
import type { Claim, Name, NumberLiteral } from "../../dsl/ast";
import { findConstructor } from "../../dsl/vocabulary";
import { actsOn, halfPlane, type ActedTensor } from "../actions";
import type { Accept, BindContext, Check } from "../context";
import { constructorExample, didYouMean, formatName, insertFix, listSome, quote, replaceFix, startOfLine, suggestionFix, verbatim } from "../fixes";
import { axisKindOf } from "../meaning";
import type { DeclaredTensor } from "../symbols";

export const claimChecks: readonly Check<Claim>[] = [
  outputsAreDeclaredOutputs,
  symmetriesAreDeclared,
  claimToleranceIsMeaningful,
  equivariantOutputsAreActedOn,
  equivariantOutputsHaveWholePlanes,
];

function outputsAreDeclaredOutputs(claim: Claim, accept: Accept, context: BindContext): void {
  const symbols = context.symbols;
  for (const output of claim.outputs) {
    const declared = symbols.tensorsByName.get(output.text);
    if (declared?.declaration.direction === "output") continue;
    const declaredOutputs = symbols.tensors.filter((tensor) => !tensor.duplicateOf && tensor.declaration.direction === "output").map((tensor) => tensor.name.text);
    const outputsInWords = declaredOutputs.length ? `declared outputs are ${listInWords(listSome(declaredOutputs.map(quote)), "and")}` : "no output is declared";
    if (declared || symbols.modelValue("input", output.text)) {
      accept("error", "bind.claim-on-input", `${output.text} is an input; claims are about outputs (${outputsInWords})`, output.range);
    } else if (symbols.modelValue("output", output.text)) {
      reportUndeclaredOutput(claim, output, accept, context);
    } else {
      const suggestion = suggestionFix(output.range, output.text, declaredOutputs);
      accept("error", "bind.claim-unknown-output", `unknown output ${quote(output.text)}; ${outputsInWords}${didYouMean(suggestion)}`, output.range, suggestion && [suggestion]);
    }
  }
}

/** A model output the spec does not declare: the fix declares it, with `_` for each of its axes. */
function reportUndeclaredOutput(claim: Claim, output: Name, accept: Accept, context: BindContext): void {
  const name = formatName(output.text);
  const type = context.symbols.modelValue("output", output.text)?.type;
  const rank = type?.kind === "tensor" ? type.shape?.length : undefined;
  const declaration = `output ${name} [${Array.from({ length: rank ?? 0 }, () => "_").join(", ")}]`;
  const fixes = rank === undefined ? undefined : [insertFix(`Declare ${declaration}`, startOfLine(firstClaimOfRun(claim, context).range.start.line), `${declaration}\n`)];
  accept("error", "bind.claim-undeclared-output", `${output.text} is an output of the model but is not declared; declare its axes with \`output ${name} [AXES]\``, output.range, fixes);
}

/** The first claim of the run of claims this one belongs to: where new declarations go, before the claims. */
function firstClaimOfRun(claim: Claim, context: BindContext): Claim {
  const statements = context.symbols.spec.statements;
  let index = context.symbols.statementIndex(claim);
  while (index > 0 && statements[index - 1].kind === "claim") index--;
  return statements[index] as Claim;
}

function symmetriesAreDeclared(claim: Claim, accept: Accept, context: BindContext): void {
  for (const symmetry of claim.symmetries) {
    if (context.symbols.symmetries.has(symmetry.text)) continue;
    const declared = context.symbols.symmetryNames();
    const constructor = findConstructor(symmetry.text);
    if (constructor) {
      const example = `symmetry NAME = ${constructorExample(constructor)}`;
      accept("error", "bind.unknown-symmetry", `${symmetry.text} is a kind of group, not a declared symmetry; declare one (\`${example}\`) and name it here`, symmetry.range);
      continue;
    }
    const suggestion = suggestionFix(symmetry.range, symmetry.text, declared, verbatim);
    const known = declared.length ? `declared symmetries are ${listInWords(listSome(declared), "and")}` : "declare one with `symmetry NAME = translate(AXES)`";
    accept("error", "bind.unknown-symmetry", `unknown symmetry ${quote(symmetry.text)}; ${known}${didYouMean(suggestion)}`, symmetry.range, suggestion && [suggestion]);
  }
}

function claimToleranceIsMeaningful(claim: Claim, accept: Accept): void {
  if (claim.tolerance) checkTolerance(claim.tolerance, accept);
}

/** A relative tolerance: > 0 to be satisfiable, and at most 1 to check anything. */
export function checkTolerance(tolerance: NumberLiteral, accept: Accept): void {
  if (tolerance.value <= 0) {
    accept("error", "bind.bad-tolerance", `a tolerance is a relative error greater than 0, not ${tolerance.text}`, tolerance.range);
  } else if (tolerance.value > 1) {
    accept(
      "warning",
      "bind.loose-tolerance",
      `a relative tolerance of ${tolerance.text} accepts errors larger than the outputs themselves, so it checks nothing; use a value below 1, such as 1e-3`,
      tolerance.range,
    );
  }
}

/**
 * `equivariant scores under perm` where perm does not act on scores says f(g.x) = f(x): an
 * invariance. That is not wrong, so it is a hint; the fix is offered when it holds for every
 * output and symmetry of the claim (otherwise the keyword is right for the others).
 */
function equivariantOutputsAreActedOn(claim: Claim, accept: Accept, context: BindContext): void {
  if (claim.claimKind !== "equivariant") return;
  const symbols = context.symbols;
  const pairs: { output: Name; symmetry: string; acted: boolean }[] = [];
  for (const output of claim.outputs) {
    const tensor = symbols.tensorsByName.get(output.text);
    if (tensor?.declaration.direction !== "output") continue;
    const shape = declaredShape(tensor, context);
    for (const symmetry of claim.symmetries) {
      const declaration = symbols.symmetries.get(symmetry.text);
      const group = declaration && !context.hasErrors(declaration) ? symbols.group(declaration) : undefined;
      if (group) pairs.push({ output, symmetry: symmetry.text, acted: actsOn({ name: symmetry.text, group }, shape) });
    }
  }
  const allInvariant = pairs.length > 0 && pairs.every((pair) => !pair.acted);
  const fixes = allInvariant ? [replaceFix("Change to invariant", claim.keyword, "invariant")] : undefined;
  for (const { output, symmetry } of pairs.filter((pair) => !pair.acted)) {
    accept("hint", "bind.equivariant-not-acted", `${output.text} is not acted on by ${symmetry}, so this is an invariance claim`, output.range, fixes);
  }
}

/**
 * `equivariant profile under turn` where profile has y but not x: a quarter turn has no action on
 * it, so g.f(x) means nothing (an invariance claim does not need one).
 */
function equivariantOutputsHaveWholePlanes(claim: Claim, accept: Accept, context: BindContext): void {
  if (claim.claimKind !== "equivariant") return;
  const symbols = context.symbols;
  for (const output of claim.outputs) {
    const tensor = symbols.tensorsByName.get(output.text);
    if (tensor?.declaration.direction !== "output") continue;
    for (const symmetry of claim.symmetries) {
      const declaration = symbols.symmetries.get(symmetry.text);
      const group = declaration && !context.hasErrors(declaration) ? symbols.group(declaration) : undefined;
      const half = group && halfPlane(group, tensor.declaration.axes.map((axis) => axis.name.text));
      if (!half) continue;
      accept(
        "error",
        "bind.half-plane",
        `${symmetry.text} turns the ${half.plane} plane, but ${output.text} has ${half.has} and no ${half.lacks}, so ${symmetry.text} has no action on it; claim \`invariant\`, or declare both axes on ${output.text}`,
        output.range,
        [replaceFix("Change to invariant", claim.keyword, "invariant")],
      );
    }
  }
}

/** A declared tensor's axes as an action sees them: names, and which symmetry a regular axis carries. */
function declaredShape(tensor: DeclaredTensor, context: BindContext): ActedTensor {
  return { name: tensor.name.text, axes: tensor.declaration.axes.map((axis) => ({ name: axis.name.text, ...axisKindOf(axis, context.symbols) })) };
}
