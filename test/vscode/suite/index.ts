/**
 * The `extensionTestsPath` entry that VS Code's extension host loads (with @vscode/test-electron
 * or in code-server): runs the `*.suite.cjs` beside it that fit the workspace's trust
 * (SYMCHECK_WORKSPACE_TRUST: in an untrusted workspace its own suite, else all the others) with
 * mocha, writes the outcome to the file named by SYMCHECK_TEST_RESULT, and rejects when a test failed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import Mocha from "mocha";
import { resultFileVariable, suiteFilesOf, workspaceTrustVariable, type SuiteResult } from "../result";

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: "tdd", color: false, timeout: 30_000, reporter: "spec" });
  // SYMCHECK_TEST_GREP runs only the tests whose title matches, when working on one of them.
  const grep = process.env.SYMCHECK_TEST_GREP;
  if (grep) mocha.grep(grep);
  for (const file of suiteFilesOf(process.env[workspaceTrustVariable], fs.readdirSync(__dirname))) mocha.addFile(path.join(__dirname, file));
  const result = await runMocha(mocha);
  const resultFile = process.env[resultFileVariable];
  if (resultFile) fs.writeFileSync(resultFile, JSON.stringify(result, null, 2));
  if (result.failed > 0) throw new Error(`${result.failed} of ${result.passed + result.failed} extension tests failed`);
}

function runMocha(mocha: Mocha): Promise<SuiteResult> {
  const result: SuiteResult = { passed: 0, failed: 0, tests: [] };
  return new Promise((resolve) => {
    try {
      mocha
        .run()
        .on("pass", (test) => {
          result.passed++;
          result.tests.push({ title: test.fullTitle(), passed: true, durationMs: test.duration });
        })
        // Also called for a failing hook (a suiteSetup that could not activate the extension).
        .on("fail", (test, error: Error) => {
          result.failed++;
          result.tests.push({ title: test.fullTitle(), passed: false, durationMs: test.duration, error: error.stack ?? String(error) });
        })
        .on("end", () => resolve(result));
    } catch (error) {
      // A suite file that throws while loading never reaches the runner's events.
      result.failed++;
      result.tests.push({ title: "loading the test files", passed: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      resolve(result);
    }
  });
}
