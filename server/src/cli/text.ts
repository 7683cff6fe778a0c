/**
 * Text output that reads like a compiler's: `file:line:column: severity: message [code]`, then a
 * summary. A claim that is not proved is one of those lines (its static verdict is a diagnostic:
 * `error: invariant logits under shift is violated: ... [static.violated]`), and so is a numeric
 * check that failed or could not run (`[numeric.failed]`, `[numeric.error]`); the summary counts
 * the verdicts, proved ones included, and the numeric results when there are some.
 */
import { plural } from "../binding/fixes";
import type { Verdict } from "../symmetry/static";
import type { Report, ReportClaim, ReportFile } from "./report";

const COLORS = { error: "\x1b[31m", warning: "\x1b[33m", info: "\x1b[36m", hint: "\x1b[2m", bold: "\x1b[1m", reset: "\x1b[0m" };

const VERDICTS: readonly Verdict[] = ["proved", "approximate", "violated", "unknown"];

export function formatText(report: Report, color: boolean): string {
  const paint = (style: keyof typeof COLORS, text: string) => (color ? `${COLORS[style]}${text}${COLORS.reset}` : text);
  const lines: string[] = [];
  for (const file of report.files) {
    for (const d of file.diagnostics) {
      lines.push(`${file.file}:${d.line}:${d.column}: ${paint(d.severity, d.severity)}: ${d.message} [${d.code}]`);
    }
  }
  lines.push(paint("bold", summary(report.files)));
  return lines.join("\n") + "\n";
}

/**
 * `2 specs, 3 claims: 2 proved, 1 violated; numeric: 2 passed, 1 failed; 1 error, 0 warnings`
 * (verdicts and outcomes that no claim got are left out; `numeric:` only with --numeric).
 */
function summary(files: readonly ReportFile[]): string {
  const count = (severity: string) => files.reduce((n, f) => n + f.diagnostics.filter((d) => d.severity === severity).length, 0);
  const claims = files.flatMap((file) => file.claims);
  const verdicts = VERDICTS.map((verdict) => [verdict, claims.filter((claim) => claim.static?.verdict === verdict).length] as const)
    .filter(([, n]) => n > 0)
    .map(([verdict, n]) => `${n} ${verdict}`);
  const notJudged = claims.filter((claim) => !claim.static).length;
  if (notJudged > 0) verdicts.push(`${notJudged} not judged`);
  const claimCounts = verdicts.length > 0 ? `: ${verdicts.join(", ")}` : "";
  const numeric = numericCounts(claims);
  return `${plural(files.length, "spec")}, ${plural(claims.length, "claim")}${claimCounts}; ${numeric}${plural(count("error"), "error")}, ${plural(count("warning"), "warning")}`;
}

/** `numeric: 10 passed, 1 failed; ` when numeric checks ran, else nothing. */
function numericCounts(claims: readonly ReportClaim[]): string {
  const results = claims.flatMap((claim) => (claim.numeric ? [claim.numeric] : []));
  if (results.length === 0) return "";
  const outcomes = [
    ["passed", results.filter((result) => result.passed).length],
    ["failed", results.filter((result) => !result.passed && result.error === undefined).length],
    ["could not run", results.filter((result) => result.error !== undefined).length],
  ] as const;
  return `numeric: ${outcomes
    .filter(([, n]) => n > 0)
    .map(([outcome, n]) => `${n} ${outcome}`)
    .join(", ")}; `;
}
