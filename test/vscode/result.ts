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
