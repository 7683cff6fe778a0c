import type { Range } from "./text";

export type Severity = "error" | "warning" | "info" | "hint";

/** A text edit in the spec: replace `range` by `newText`. */
export interface TextEdit {
  range: Range;
  newText: string;
}

/** A quick fix offered with a diagnostic. */
export interface Fix {
  title: string;
  edits: TextEdit[];
  /** The fix most users want: editors may apply it with one key. */
  preferred?: boolean;
}

/**
 * A problem found in a spec, by the parser, the binder or an analysis.
 * `code` is stable and documented (docs/diagnostics.md): CI scripts and tests match on it.
 */
export interface SpecDiagnostic {
  range: Range;
  severity: Severity;
  message: string;
  code: string;
  fixes?: Fix[];
  /** Marks text that is not wrong but has no effect (shown faded). */
  unnecessary?: boolean;
}
