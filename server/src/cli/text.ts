/** Text output that reads like a compiler's: `file:line:column: severity: message [code]`, then a summary. */
import type { Report, ReportClaim, ReportFile } from "./report";

const COLORS = { error: "\x1b[31m", warning: "\x1b[33m", info: "\x1b[36m", hint: "\x1b[2m", bold: "\x1b[1m", reset: "\x1b[0m" };

export function formatText(report: Report, color: boolean): string {
  const paint = (style: keyof typeof COLORS, text: string) => (color ? `${COLORS[style]}${text}${COLORS.reset}` : text);
  const lines: string[] = [];
  for (const file of report.files) {
    for (const d of file.diagnostics) {
      lines.push(`${file.file}:${d.line}:${d.column}: ${paint(d.severity, d.severity)}: ${d.message} [${d.code}]`);
    }
    for (const claim of file.claims) lines.push(`${file.file}:${claim.line}:1: ${describeClaim(claim)}`);
  }
  lines.push(paint("bold", summary(report.files)));
  return lines.join("\n") + "\n";
}

function describeClaim(claim: ReportClaim): string {
  const statement = `${claim.kind} ${claim.outputs.join(", ")} under ${claim.symmetry}`;
  if (!claim.static) return `claim: ${statement}: not checked (no static analysis yet)`;
  const node = claim.static.node ? ` at ${claim.static.node}` : "";
  return `claim: ${statement}: ${claim.static.verdict}${node}: ${claim.static.reason}`;
}

function summary(files: readonly ReportFile[]): string {
  const count = (severity: string) => files.reduce((n, f) => n + f.diagnostics.filter((d) => d.severity === severity).length, 0);
  const claims = files.reduce((n, f) => n + f.claims.length, 0);
  return `${plural(files.length, "spec")}, ${plural(claims, "claim")}: ${plural(count("error"), "error")}, ${plural(count("warning"), "warning")}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
