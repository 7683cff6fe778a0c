/**
 * The command line's report: the JSON document of the spec's "command line" section, built
 * from spec analyses (and, with --numeric, their numeric results). The text output is printed
 * from the same report, so both always agree.
 */
import * as path from "node:path";
import type { Severity } from "../common/diagnostic";
import type { SpecAnalysis } from "../service/analysis";
import { checkPairs, measuredFigures, type CheckPair, type MeasuredFigures, type NumericResults } from "../service/numericResults";
import { numericDiagnostics } from "../service/numericWords";
import type { NumericCheck } from "../symmetry/numeric/types";
import type { StaticCheck, Verdict } from "../symmetry/static";

export interface ReportDiagnostic {
  line: number;
  column: number;
  severity: Severity;
  message: string;
  code: string;
}

export interface StaticResult {
  verdict: Verdict;
  reason: string;
  /** The node that breaks the claim or is not understood (for `approximate`, the first effect's). */
  node: string | null;
}

/** A pair's numeric check; figures that were not measured (it could not run) or are not finite are null. */
export interface NumericResult extends MeasuredFigures {
  passed: boolean;
  ms: number;
  /** Why it could not run. */
  error?: string;
}

/**
 * One (claim, symmetry) pair. `static` is null when the static analysis did not run (it failed:
 * a diagnostic says so); `numeric` is present with --numeric only.
 */
export interface ReportClaim {
  line: number;
  kind: "invariant" | "equivariant";
  outputs: string[];
  symmetry: string;
  static: StaticResult | null;
  numeric?: NumericResult;
}

export interface ReportFile {
  file: string;
  model: string | null;
  diagnostics: ReportDiagnostic[];
  claims: ReportClaim[];
}

export interface Report {
  files: ReportFile[];
}

/** With `numeric`, the claims carry their numeric results and the failed ones are diagnostics too. */
export function buildReport(analyses: readonly SpecAnalysis[], cwd: string, numeric?: NumericResults): Report {
  return { files: analyses.map((analysis) => reportFile(analysis, cwd, numeric)) };
}

function reportFile(analysis: SpecAnalysis, cwd: string, numeric: NumericResults | undefined): ReportFile {
  const pairs = checkPairs(analysis);
  const diagnostics = numeric ? [...analysis.diagnostics, ...numericDiagnostics(analysis, pairs, numeric)] : analysis.diagnostics;
  return {
    file: path.relative(cwd, analysis.specPath) || analysis.specPath,
    model: analysis.model ? path.relative(cwd, analysis.model.reference.path) : null,
    diagnostics: diagnostics.map((d) => ({
      line: d.range.start.line + 1,
      column: d.range.start.character + 1,
      severity: d.severity,
      message: d.message,
      code: d.code,
    })),
    claims: pairs.map((pair) => {
      const claim: ReportClaim = {
        line: pair.claim.declaration.range.start.line + 1,
        kind: pair.claim.kind,
        outputs: pair.claim.outputs,
        symmetry: pair.symmetry,
        static: staticResult(pair.staticCheck),
      };
      if (numeric) claim.numeric = numericResult(numeric.get(analysis.specPath, pair), pair);
      return claim;
    }),
  };
}

function staticResult(check: StaticCheck | undefined): StaticResult | null {
  return check ? { verdict: check.verdict, reason: check.reason, node: check.node } : null;
}

function numericResult(check: NumericCheck | undefined, pair: CheckPair): NumericResult {
  if (!check) return { passed: false, samples: 0, maxRelError: null, maxAbsError: null, tolerance: null, worst: "", ms: 0, error: `${pair.id} was not checked` };
  const result: NumericResult = { passed: check.status === "passed", ...measuredFigures(check), ms: Math.round(check.ms) };
  if (check.status === "error" || check.status === "cancelled") result.error = check.message ?? check.status;
  return result;
}

/** A claim fails when the static analysis finds it violated, or its numeric check (when run) did not pass. */
function claimFails(claim: ReportClaim): boolean {
  return claim.static?.verdict === "violated" || claim.numeric?.passed === false;
}

/** The exit status of the spec's "command line" section: 0 all good, 1 an error or a failed claim. */
export function exitStatus(report: Report): 0 | 1 {
  const failed = report.files.some((file) => file.diagnostics.some((d) => d.severity === "error") || file.claims.some(claimFails));
  return failed ? 1 : 0;
}
