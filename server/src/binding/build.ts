/**
 * The BoundSpec, built from what passed its checks: a statement (or check setting) with an
 * error is left out, and so is whatever depends on something left out (a claim on an output
 * that did not bind, a tensor whose regular axis names a symmetry that did not bind).
 */
import type * as ast from "../dsl/ast";
import { DISTRIBUTIONS } from "../dsl/vocabulary";
import { describeDim } from "../onnx/model";
import type { BoundAxis, BoundClaim, BoundSpec, BoundSymmetry, BoundTensor, CheckSettings, InputSource } from "./bound";
import type { BindContext } from "./context";
import { axisKindOf } from "./meaning";
import { ANONYMOUS_AXIS, type DeclaredTensor } from "./symbols";

const DEFAULT_SAMPLES = 8;
const DEFAULT_SEED = 0;

export function buildBoundSpec(context: BindContext): BoundSpec {
  const check = buildCheckSettings(context);
  const symmetries = buildSymmetries(context);
  const tensors = buildTensors(context, symmetries, check);
  return {
    modelPath: context.model?.reference.path,
    model: context.symbols.model,
    tensors,
    symmetries,
    claims: buildClaims(context, tensors, symmetries, check),
    check,
  };
}

function buildCheckSettings(context: BindContext): CheckSettings {
  const check: CheckSettings = { samples: DEFAULT_SAMPLES, seed: DEFAULT_SEED, sizes: new Map(), inputs: new Map() };
  const block = context.symbols.checkBlocks[0];
  if (!block || context.hasErrors(block)) return check;
  for (const setting of block.settings) {
    if (context.hasErrors(setting)) continue;
    switch (setting.kind) {
      case "number":
        applyNumberSetting(check, setting);
        break;
      case "size":
        for (const size of setting.sizes) {
          if (size.value && !context.hasErrors(size)) check.sizes.set(size.axis.text, size.value.value);
        }
        break;
      case "input": {
        const source = setting.source && inputSource(setting.source);
        if (setting.tensor && source) check.inputs.set(setting.tensor.text, source);
        break;
      }
      case "unknown":
        break;
    }
  }
  return check;
}

function applyNumberSetting(check: CheckSettings, setting: ast.NumberSetting): void {
  const value = setting.value?.value;
  if (value === undefined) return;
  if (setting.name.text === "samples") check.samples = value;
  else if (setting.name.text === "seed") check.seed = value;
  else if (setting.name.text === "tolerance") check.tolerance = value;
}

function inputSource(source: ast.InputSource): InputSource | undefined {
  switch (source.kind) {
    case "fixed":
      return { kind: "fixed", value: source.value.value };
    case "file":
      return { kind: "file", path: source.path.value };
    case "distribution": {
      const known = DISTRIBUTIONS.find((candidate) => candidate.name === source.distribution.text);
      if (!known) return undefined;
      const [first, second] = source.args.length ? source.args.map((arg) => arg.value) : known.defaults;
      if (first === undefined || second === undefined) return undefined;
      return known.name === "normal" ? { kind: "normal", mean: first, std: second } : { kind: known.name, low: first, high: second };
    }
  }
}

function buildSymmetries(context: BindContext): Map<string, BoundSymmetry> {
  const symmetries = new Map<string, BoundSymmetry>();
  for (const [name, declaration] of context.symbols.symmetries) {
    const group = context.hasErrors(declaration) ? undefined : context.symbols.group(declaration);
    if (group) symmetries.set(name, { name, group, declaration });
  }
  return symmetries;
}

function buildTensors(context: BindContext, symmetries: Map<string, BoundSymmetry>, check: CheckSettings): BoundTensor[] {
  const tensors: BoundTensor[] = [];
  for (const tensor of context.symbols.tensorsByName.values()) {
    const bound = context.hasErrors(tensor) ? undefined : buildTensor(tensor, context, symmetries, check);
    if (bound) tensors.push(bound);
  }
  return tensors;
}

function buildTensor(tensor: DeclaredTensor, context: BindContext, symmetries: Map<string, BoundSymmetry>, check: CheckSettings): BoundTensor | undefined {
  const valueInfo = tensor.valueInfo;
  if (valueInfo?.type?.kind !== "tensor") return undefined;
  const axes: BoundAxis[] = [];
  for (const [index, declaration] of tensor.declaration.axes.entries()) {
    const known = context.symbols.knownSize({ tensor, axis: declaration, index });
    const size = known ?? (declaration.name.text === ANONYMOUS_AXIS ? undefined : check.sizes.get(declaration.name.text));
    const { kind, regularOf } = axisKindOf(declaration, context.symbols);
    if (regularOf !== undefined && !symmetries.has(regularOf)) return undefined;
    const dim = tensor.dims?.[index];
    const axis: BoundAxis = { name: declaration.name.text, kind, size, modelDim: dim ? describeDim(dim) : "?", declaration };
    if (regularOf !== undefined) axis.regularOf = regularOf;
    axes.push(axis);
  }
  return { direction: tensor.declaration.direction, name: tensor.name.text, valueInfo, elementType: valueInfo.type.elementType, axes, declaration: tensor.declaration };
}

function buildClaims(context: BindContext, tensors: BoundTensor[], symmetries: Map<string, BoundSymmetry>, check: CheckSettings): BoundClaim[] {
  const outputs = new Set(tensors.filter((tensor) => tensor.direction === "output").map((tensor) => tensor.name));
  const claims: BoundClaim[] = [];
  for (const statement of context.symbols.spec.statements) {
    if (statement.kind !== "claim" || context.hasErrors(statement)) continue;
    const claimOutputs = statement.outputs.map((output) => output.text);
    const claimSymmetries = statement.symmetries.map((symmetry) => symmetry.text);
    const resolved = claimOutputs.every((name) => outputs.has(name)) && claimSymmetries.every((name) => symmetries.has(name));
    if (!resolved || !claimOutputs.length || !claimSymmetries.length) continue;
    const claim: BoundClaim = { kind: statement.claimKind, outputs: claimOutputs, symmetries: claimSymmetries, declaration: statement };
    const tolerance = statement.tolerance?.value ?? check.tolerance;
    if (tolerance !== undefined) claim.tolerance = tolerance;
    claims.push(claim);
  }
  return claims;
}
