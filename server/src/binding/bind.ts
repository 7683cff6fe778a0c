/**
 * Binding: a parsed spec meets its model. A first pass collects the declarations into a
 * symbol table; then a table of small checks per statement kind reports what is wrong; last,
 * the parts that passed become the BoundSpec that the analyses consume.
 *
 * Model-dependent checks are silent while the model is missing or unreadable (one diagnostic
 * says so), so a spec still gets every model-independent diagnostic. Nothing here throws on
 * anything a user can write.
 */
import type { SpecDiagnostic } from "../common/diagnostic";
import { comparePositions } from "../common/text";
import type { SpecFile } from "../dsl/ast";
import type { ModelLoad } from "../onnx/cache";
import type { BindResult } from "./bound";
import { buildBoundSpec } from "./build";
import { extraCheckBlockChecks, settingChecks, sizeChecks } from "./checks/checkBlock";
import { claimChecks } from "./checks/claims";
import { checkModel } from "./checks/model";
import { duplicateSymmetryChecks, symmetryChecks } from "./checks/symmetries";
import { duplicateTensorChecks, tensorChecks } from "./checks/tensors";
import { BindContext, type BindOptions } from "./context";
import type { ModelReference } from "./modelPath";
import { SymbolTable } from "./symbols";

export type { BindOptions } from "./context";

export function bindSpec(spec: SpecFile, model: { reference: ModelReference; load: ModelLoad } | undefined, options: BindOptions = {}): BindResult {
  const loaded = model?.load.ok ? model.load.model : undefined;
  const symbols = new SymbolTable(spec, loaded);
  const context = new BindContext(symbols, model, options);

  checkModel(context, context.acceptFor(spec));
  // Symmetries before tensors and claims: their checks read whether a symmetry has errors.
  for (const declaration of spec.statements) {
    if (declaration.kind !== "symmetry") continue;
    const isFirst = !declaration.name || symbols.symmetries.get(declaration.name.text) === declaration;
    context.run(isFirst ? symmetryChecks : duplicateSymmetryChecks, declaration);
  }
  for (const tensor of symbols.tensors) context.run(tensor.duplicateOf ? duplicateTensorChecks : tensorChecks, tensor);
  checkSettings(context);
  for (const statement of spec.statements) if (statement.kind === "claim") context.run(claimChecks, statement);

  return { bound: buildBoundSpec(context), diagnostics: inSourceOrder(context.diagnostics) };
}

function checkSettings(context: BindContext): void {
  const [first, ...others] = context.symbols.checkBlocks;
  for (const block of others) context.run(extraCheckBlockChecks, block);
  for (const setting of first?.settings ?? []) {
    context.run(settingChecks, setting);
    if (setting.kind === "size") for (const size of setting.sizes) context.run(sizeChecks, size);
  }
}

function inSourceOrder(diagnostics: SpecDiagnostic[]): SpecDiagnostic[] {
  return [...diagnostics].sort((a, b) => comparePositions(a.range.start, b.range.start));
}
