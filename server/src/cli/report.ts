/**
 * The command line's report: the JSON document of the spec's "command line" section, built
 * from spec analyses. The text output is printed from the same report, so both always agree.
 */
import * as path from "node:path";
import type { Severity } from "../common/diagnostic";
import type { BoundClaim } from "../binding/bound";
import type { SpecAnalysis } from "../service/analysis";
import type { Verdict } from "../symmetry/static";

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

/** One (claim, symmetry) pair. `static` is null when the static analysis did not run (it failed: a diagnostic says so). */
export interface ReportClaim {
  line: number;
  kind: "invariant" | "equivariant";
  outputs: string[];
  symmetry: string;
  static: StaticResult | null;
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

export function buildReport(analyses: readonly SpecAnalysis[], cwd: string): Report {
  return { files: analyses.map((analysis) => reportFile(analysis, cwd)) };
}

function reportFile(analysis: SpecAnalysis, cwd: string): ReportFile {
  return {
    file: path.relative(cwd, analysis.specPath) || analysis.specPath,
    model: analysis.model ? path.relative(cwd, analysis.model.reference.path) : null,
    diagnostics: analysis.diagnostics.map((d) => ({
      line: d.range.start.line + 1,
      column: d.range.start.character + 1,
      severity: d.severity,
      message: d.message,
      code: d.code,
    })),
    claims: analysis.bound.claims.flatMap((claim) =>
      claim.symmetries.map((symmetry) => ({
        line: claim.declaration.range.start.line + 1,
        kind: claim.kind,
        outputs: claim.outputs,
        symmetry,
        static: staticResult(analysis, claim, symmetry),
      })),
    ),
  };
}

function staticResult(analysis: SpecAnalysis, claim: BoundClaim, symmetry: string): StaticResult | null {
  const check = analysis.staticChecks.find((candidate) => candidate.claim === claim && candidate.symmetry === symmetry);
  return check ? { verdict: check.verdict, reason: check.reason, node: check.node } : null;
}

/** A claim fails when the static analysis finds it violated. */
function claimFails(claim: ReportClaim): boolean {
  return claim.static?.verdict === "violated";
}

/** The exit status of the spec's "command line" section: 0 all good, 1 an error or a failed claim. */
export function exitStatus(report: Report): 0 | 1 {
  const failed = report.files.some((file) => file.diagnostics.some((d) => d.severity === "error") || file.claims.some(claimFails));
  return failed ? 1 : 0;
}
