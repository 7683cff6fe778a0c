/**
 * One spec, analysed: parsed, its model found and loaded, bound, and its claims judged by the
 * static analysis. This is the single entry point that the command line, the language server
 * and the tests share; every editor feature reads a SpecAnalysis and nothing else.
 */
import { readdir, stat } from "node:fs/promises";
import * as path from "node:path";
import type { SpecDiagnostic } from "../common/diagnostic";
import type { BoundSpec } from "../binding/bound";
import { bindSpec, type BindOptions } from "../binding/bind";
import { resolveModelPath, type ModelReference } from "../binding/modelPath";
import type { SpecFile } from "../dsl/ast";
import { parseSpec } from "../dsl/parse";
import type { ModelCache, ModelLoad } from "../onnx/cache";
import type { StaticCheck } from "../symmetry/static";
import { judgeStatically } from "./verdicts";

export interface SpecAnalysis {
  /** Absolute path of the `.sym` file. */
  specPath: string;
  text: string;
  spec: SpecFile;
  /** Where the model was looked for (a `model` statement or the sibling rule) and what was found. */
  model?: { reference: ModelReference; load: ModelLoad };
  bound: BoundSpec;
  /**
   * One per (claim, symmetry) pair of the bound claims, in source order; none while the model is
   * not loaded. Claims with errors are not bound, so they are not judged either.
   */
  staticChecks: StaticCheck[];
  /** Syntax errors first, then binding diagnostics in source order, then the verdicts that are not `proved`. */
  diagnostics: SpecDiagnostic[];
  /** The files the check block reads inputs from (`input x from "FILE.npy"`), as they were when analysed. */
  inputFiles: InputFile[];
}

export interface InputFile {
  /** Absolute path. */
  path: string;
  /** Modification time and size (`mtime:size`); null when the file is missing. */
  stamp: string | null;
}

/** What the caller decides (the editor's settings); the model candidates are found here. */
export type AnalysisOptions = Omit<BindOptions, "modelCandidates">;

export async function analyzeSpec(specPath: string, text: string, models: ModelCache, options: AnalysisOptions = {}): Promise<SpecAnalysis> {
  const parsed = parseSpec(text);
  const reference = resolveModelPath(specPath, parsed.spec);
  const model = reference ? { reference, load: await models.load(reference.path) } : undefined;
  const modelCandidates = model?.load.ok === false && model.load.problem === "missing" ? await modelFilesBeside(specPath) : [];
  const { bound, diagnostics } = bindSpec(parsed.spec, model, { ...options, modelCandidates });
  // Cheap at every pause in typing: what depends on the model alone is cached per model (see checkStatically).
  const judged = judgeStatically(bound);
  const inputFiles = await inputFilesOf(specPath, bound);
  return {
    specPath,
    text,
    spec: parsed.spec,
    model,
    bound,
    staticChecks: judged.checks,
    diagnostics: [...parsed.diagnostics, ...diagnostics, ...judged.diagnostics],
    inputFiles,
  };
}

/** The check block's input files, stamped: a numeric result is about what they held (numericResults.ts). */
async function inputFilesOf(specPath: string, bound: BoundSpec): Promise<InputFile[]> {
  const paths = [...bound.check.inputs.values()].flatMap((source) => (source.kind === "file" ? [path.resolve(path.dirname(specPath), source.path)] : []));
  return Promise.all(
    paths.map(async (file) => {
      const stats = await stat(file).catch(() => undefined);
      return { path: file, stamp: stats ? `${stats.mtimeMs}:${stats.size}` : null };
    }),
  );
}

/** The `.onnx` files in the spec's folder: what the binder suggests when the model is missing. */
async function modelFilesBeside(specPath: string): Promise<string[]> {
  const names = await readdir(path.dirname(specPath)).catch(() => [] as string[]);
  return names.filter((name) => name.toLowerCase().endsWith(".onnx")).sort();
}
