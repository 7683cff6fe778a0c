/**
 * What every check receives: the symbol table, the options, and one way to report.
 *
 * Checks report through an `Accept` bound to the syntax node they judge (a statement, or one
 * setting of a check block). An error reported that way leaves the node out of the BoundSpec:
 * the builder asks `hasErrors(node)`, so the checks alone decide what resolved.
 */
import type { Fix, Severity, SpecDiagnostic } from "../common/diagnostic";
import type { Range } from "../common/text";
import type { ModelLoad } from "../onnx/cache";
import type { ModelReference } from "./modelPath";
import type { SymbolTable } from "./symbols";

export interface BindOptions {
  /** Warn about dynamic dims of declared inputs that no size resolves. Default true. */
  dynamicDimWarnings?: boolean;
  /** `.onnx` file names beside the spec, to suggest when the model is missing. */
  modelCandidates?: string[];
}

export type Accept = (severity: Severity, code: string, message: string, range: Range, fixes?: Fix[]) => void;

/** One kind of check: judges a node and reports what is wrong with it. */
export type Check<Node> = (node: Node, accept: Accept, context: BindContext) => void;

export class BindContext {
  readonly diagnostics: SpecDiagnostic[] = [];
  private readonly failed = new WeakSet<object>();

  constructor(
    readonly symbols: SymbolTable,
    readonly model: { reference: ModelReference; load: ModelLoad } | undefined,
    readonly options: BindOptions,
  ) {}

  /** Reports about `node`; an error leaves the node out of the bound spec. */
  acceptFor(node: object): Accept {
    return (severity, code, message, range, fixes) => {
      if (severity === "error") this.failed.add(node);
      const diagnostic: SpecDiagnostic = { range, severity, message, code };
      if (fixes?.length) diagnostic.fixes = fixes;
      this.diagnostics.push(diagnostic);
    };
  }

  hasErrors(node: object): boolean {
    return this.failed.has(node);
  }

  /** Runs each check on the node, each reporting about it. */
  run<Node extends object>(checks: readonly Check<Node>[], node: Node): void {
    const accept = this.acceptFor(node);
    for (const check of checks) check(node, accept, this);
  }
}
