/**
 * Which ONNX file a spec describes: the one its `model "PATH"` statement names (relative to
 * the spec's folder), or else the `.onnx` file with the spec's base name beside it.
 */
import * as path from "node:path";
import type { Range } from "../common/text";
import type { ModelStatement, SpecFile } from "../dsl/ast";

export interface ModelReference {
  /** Absolute path of the model file (it may not exist). */
  path: string;
  /** `statement`: named by a `model` statement; `sibling`: found by the sibling rule. */
  source: "statement" | "sibling";
  /** The `model` statement's range, for a reference from a statement. */
  range?: Range;
}

/**
 * The model a spec refers to. The first `model` statement wins (a second one is a binding
 * error). Undefined only while a `model` statement has no path yet: the user is typing one.
 */
export function resolveModelPath(specPath: string, spec: SpecFile): ModelReference | undefined {
  const statement = firstModelStatement(spec);
  if (!statement) return { path: siblingModelPath(specPath), source: "sibling" };
  if (!statement.path) return undefined;
  return { path: path.resolve(path.dirname(specPath), statement.path.value), source: "statement", range: statement.range };
}

export function firstModelStatement(spec: SpecFile): ModelStatement | undefined {
  return spec.statements.find((statement): statement is ModelStatement => statement.kind === "model");
}

/** `dir/net.sym` -> `dir/net.onnx` (a spec with another extension keeps its base name too). */
export function siblingModelPath(specPath: string): string {
  const parsed = path.parse(path.resolve(specPath));
  return path.join(parsed.dir, `${parsed.name}.onnx`);
}
