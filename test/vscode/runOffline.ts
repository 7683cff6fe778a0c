/**
 * `npm run test:vscode:offline`: the extension-host suite in code-server, for machines without
 * access to VS Code's downloads (CI here). code-server is VS Code's workbench with a real Node
 * extension host; opening the page with an extension-development payload runs the suite in it,
 * exactly as @vscode/test-electron does in the desktop app. The workbench stays open when the
 * tests end, so the suite writes its result to a file that this launcher waits for.
 *
 * Two launches: a trusted workspace (trust disabled) for the suites, then the same examples in
 * Restricted Mode for `untrusted.suite.ts`. The closing counts line adds both up.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { resultFileVariable, workspaceTrustVariable, type SuiteResult } from "./result";
import {
  buildExtensionAndSuite,
  copyExamples,
  countsLine,
  delay,
  freshStateFolder,
  installCodeServer,
  launchChromium,
  remoteUri,
  repoRoot,
  startCodeServer,
  workbenchUrl,
  type WorkspaceTrust,
} from "./editorHarness";

const runTimeoutMs = Number(process.env.SYMCHECK_VSCODE_TIMEOUT_MS ?? 180_000);

/**
 * The launches, one after the other, each with its own state folder: the trusted workspace runs
 * every suite but one; the untrusted one (Restricted Mode) runs `untrusted.suite.ts`, which checks
 * that no model runs there.
 */
const launches: { name: string; trust: WorkspaceTrust }[] = [
  { name: "vscode", trust: "disabled" },
  { name: "vscode-untrusted", trust: "untrusted" },
];

async function main(): Promise<number> {
  const started = Date.now();
  const suiteEntry = await buildExtensionAndSuite();
  const codeServerBin = installCodeServer();
  const total = { passed: 0, failed: 0 };
  for (const launch of launches) {
    const launchStarted = Date.now();
    const state = freshStateFolder(launch.name);
    console.log(`--- ${launch.name} (workspace trust: ${launch.trust}) ---`);
    const result = await runLaunch(codeServerBin, suiteEntry, state, launch).catch(
      // A launch that cannot run counts as one failure; the next launch still runs.
      (error: unknown): SuiteResult => ({ passed: 0, failed: 1, tests: [{ title: `${launch.name}: the launch`, passed: false, error: error instanceof Error ? error.message : String(error) }] }),
    );
    printResult(result);
    if (result.failed > 0) printExtensionLog(state);
    console.log(`(${launch.name}: ${((Date.now() - launchStarted) / 1000).toFixed(1)} s; state and logs in ${path.relative(repoRoot, state)})`);
    total.passed += result.passed;
    total.failed += result.failed;
  }
  console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s in all)`);
  console.log(countsLine("vscode", total.passed, total.failed));
  return total.failed === 0 && total.passed > 0 ? 0 : 1;
}

/** Runs the suite entry in one launch: code-server with the launch's trust, the examples' copy opened in Chromium. */
async function runLaunch(codeServerBin: string, suiteEntry: string, state: string, launch: (typeof launches)[number]): Promise<SuiteResult> {
  const workspace = copyExamples(state);
  const resultFile = path.join(state, "result.json");
  const browserLog = path.join(state, "browser-console.log");

  const server = await startCodeServer(codeServerBin, state, { [resultFileVariable]: resultFile, [workspaceTrustVariable]: launch.trust }, launch.trust);
  const browser = await launchChromium(state).catch(async (error: unknown) => {
    await server.stop();
    throw error;
  });
  try {
    const page = await browser.newPage();
    // The extension host's console (mocha's report, the extension's errors) reaches the page's console.
    page.on("console", (message) => fs.appendFileSync(browserLog, `[${message.type()}] ${message.text()}\n`));
    await page.goto(
      workbenchUrl(server, workspace, [
        ["extensionDevelopmentPath", remoteUri(server, repoRoot)],
        ["extensionTestsPath", remoteUri(server, suiteEntry)],
      ]),
    );
    return await waitForResult(resultFile, runTimeoutMs);
  } finally {
    await browser.close();
    await server.stop();
  }
}

async function waitForResult(file: string, timeoutMs: number): Promise<SuiteResult> {
  const deadline = Date.now() + timeoutMs;
  while (!fs.existsSync(file)) {
    if (Date.now() > deadline) {
      throw new Error(
        `the extension-host suite wrote no result within ${timeoutMs / 1000} s: see browser-console.log and code-server.log in ${path.dirname(file)}`,
      );
    }
    await delay(250);
  }
  return JSON.parse(fs.readFileSync(file, "utf8")) as SuiteResult;
}

function printResult(result: SuiteResult): void {
  for (const test of result.tests) {
    const time = test.durationMs === undefined ? "" : ` (${test.durationMs} ms)`;
    console.log(`${test.passed ? "ok  " : "FAIL"} ${test.title}${time}`);
    if (test.error) console.log(test.error.replace(/^/gm, "       "));
  }
}

/** The extension's own log (its output channel: the client's and the server's errors), to explain failures. */
function printExtensionLog(state: string): void {
  const logs = path.join(state, "user", "logs");
  if (!fs.existsSync(logs)) return;
  const log = fs
    .readdirSync(logs, { recursive: true, encoding: "utf8" })
    .find((file) => file.endsWith(path.join("symcheck.symcheck", "symcheck.log")));
  const text = log ? fs.readFileSync(path.join(logs, log), "utf8").trim() : "";
  if (!text) return;
  const lines = text.split("\n");
  console.log(`--- the extension's log (last ${Math.min(lines.length, 40)} of ${lines.length} lines) ---`);
  console.log(lines.slice(-40).join("\n"));
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    console.log(countsLine("vscode", 0, 1));
    process.exit(1);
  },
);
