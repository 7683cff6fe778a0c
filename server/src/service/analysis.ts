/**
 * One spec, analysed: parsed, its model found and loaded, bound. This is the single entry
 * point that the command line, the language server and the tests share; every editor feature
 * reads a SpecAnalysis and nothing else.
 */
import type { SpecDiagnostic } from "../common/diagnostic";
import type { BoundSpec } from "../binding/bound";
import { bindSpec } from "../binding/bind";
import { resolveModelPath, type ModelReference } from "../binding/modelPath";
import type { SpecFile } from "../dsl/ast";
import { parseSpec } from "../dsl/parse";
import type { ModelCache, ModelLoad } from "../onnx/cache";

export interface SpecAnalysis {
  /** Absolute path of the `.sym` file. */
  specPath: string;
  text: string;
  spec: SpecFile;
  /** Where the model was looked for (a `model` statement or the sibling rule) and what was found. */
  model?: { reference: ModelReference; load: ModelLoad };
  bound: BoundSpec;
  /** Syntax errors first, then binding diagnostics, in source order within each. */
  diagnostics: SpecDiagnostic[];
}

export async function analyzeSpec(specPath: string, text: string, models: ModelCache): Promise<SpecAnalysis> {
  const parsed = parseSpec(text);
  const reference = resolveModelPath(specPath, parsed.spec);
  const model = reference ? { reference, load: await models.load(reference.path) } : undefined;
  const { bound, diagnostics } = bindSpec(parsed.spec, model);
  return { specPath, text, spec: parsed.spec, model, bound, diagnostics: [...parsed.diagnostics, ...diagnostics] };
}
