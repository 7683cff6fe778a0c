/**
 * What the extension-host suite reports to its launcher: the workbench in code-server does not
 * close itself when the tests end, so the suite writes this file and the launcher waits for it.
 */
export interface SuiteResult {
  passed: number;
  failed: number;
  tests: TestOutcome[];
}

export interface TestOutcome {
  /** The suite and test titles, as mocha prints them ("diagnostics a binding error is ..."). */
  title: string;
  passed: boolean;
  durationMs?: number;
  /** The failure's message and stack. */
  error?: string;
}

/** The environment variable naming the file the suite writes its SuiteResult to. */
export const resultFileVariable = "SYMCHECK_TEST_RESULT";

/**
 * The environment variable saying how the launcher set up workspace trust (WorkspaceTrust in
 * editorHarness.ts): `untrusted` for the workbench in Restricted Mode; unset or `disabled` for a
 * trusted workspace.
 */
export const workspaceTrustVariable = "SYMCHECK_WORKSPACE_TRUST";

/** The one suite file that runs in the untrusted workspace, and only there: every other suite expects a trusted one. */
const untrustedSuite = "untrusted.suite.cjs";

/** The bundled suite files (`*.suite.cjs`) to run under the given trust, sorted. */
export function suiteFilesOf(trust: string | undefined, files: readonly string[]): string[] {
  const suites = files.filter((name) => name.endsWith(".suite.cjs")).sort();
  return trust === "untrusted" ? suites.filter((name) => name === untrustedSuite) : suites.filter((name) => name !== untrustedSuite);
}
