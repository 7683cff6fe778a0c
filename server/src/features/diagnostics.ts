/**
 * The spec's diagnostics as the editor shows them. The SpecDiagnostics already carry ranges in
 * LSP's shape; this maps severities, names the source and marks text that has no effect.
 */
import { DiagnosticSeverity, DiagnosticTag, type Diagnostic } from "vscode-languageserver-types";
import type { Severity, SpecDiagnostic } from "../common/diagnostic";
import type { SpecAnalysis } from "../service/analysis";

export const DIAGNOSTIC_SOURCE = "symcheck";

const SEVERITIES: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toLspDiagnostics(analysis: SpecAnalysis): Diagnostic[] {
  return analysis.diagnostics.map(toLspDiagnostic);
}

export function toLspDiagnostic(diagnostic: SpecDiagnostic): Diagnostic {
  const converted: Diagnostic = {
    range: diagnostic.range,
    severity: SEVERITIES[diagnostic.severity],
    source: DIAGNOSTIC_SOURCE,
    code: diagnostic.code,
    message: diagnostic.message,
  };
  if (diagnostic.unnecessary) converted.tags = [DiagnosticTag.Unnecessary];
  return converted;
}
