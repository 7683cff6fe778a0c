/**
 * CodeLens: above each claim, one lens per symmetry with its static verdict (`shift: proved`,
 * `turn: approximate (zero padding at conv1)`, `shift: violated at fc`), `proved` included, so
 * that a claim that holds shows it too. Clicking a lens shows the full explanation: the command
 * is the client's (VS Code needs a command for a lens to show), and its argument carries the
 * explanation, so the client needs nothing else from the server.
 */
import type { CodeLens } from "vscode-languageserver-types";
import type { Range } from "../common/text";
import type { SpecAnalysis } from "../service/analysis";
import { explanationText, verdictSummary } from "../service/verdicts";
import type { Verdict } from "../symmetry/static";

export const SHOW_EXPLANATION_COMMAND = "symcheck.showStaticExplanation";

/** The argument of SHOW_EXPLANATION_COMMAND. */
export interface ExplanationArgument {
  /** The claim's range in the spec. */
  claim: Range;
  symmetry: string;
  verdict: Verdict;
  /** Plain text, a line per fact. */
  explanation: string;
}

export function codeLenses(analysis: SpecAnalysis): CodeLens[] {
  return analysis.staticChecks.map((check) => {
    const argument: ExplanationArgument = {
      claim: check.claim.declaration.range,
      symmetry: check.symmetry,
      verdict: check.verdict,
      explanation: explanationText(check),
    };
    return {
      range: check.claim.declaration.keyword,
      command: { title: `${check.symmetry}: ${verdictSummary(check)}`, command: SHOW_EXPLANATION_COMMAND, arguments: [argument] },
    };
  });
}
