/**
 * `npm run test:vscode`: the extension-host suite in desktop VS Code, downloaded by
 * @vscode/test-electron (needs the internet and, on Linux without a display, xvfb-run).
 * Where VS Code cannot be downloaded, `npm run test:vscode:offline` runs the same suite in
 * code-server, which installs from the npm registry.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { downloadAndUnzipVSCode, runTests } from "@vscode/test-electron";
import { resultFileVariable, type SuiteResult } from "./result";
import { buildExtensionAndSuite, copyExamples, countsLine, freshStateFolder, repoRoot, writeUserSettings } from "./editorHarness";

/** The VS Code that code-server 4.100.3 embeds, so that both launchers test against the same API. */
const vscodeVersion = "1.100.3";

async function main(): Promise<number> {
  const suiteEntry = await buildExtensionAndSuite();
  let vscodeExecutablePath: string;
  try {
    vscodeExecutablePath = await downloadAndUnzipVSCode({ version: vscodeVersion, cachePath: path.join(repoRoot, ".test-state", "vscode-download") });
  } catch (error) {
    console.error(
      `Could not download VS Code ${vscodeVersion} (${error instanceof Error ? error.message : error}).\n` +
        "Without access to VS Code's downloads, run the same suite in code-server: npm run test:vscode:offline",
    );
    return 2;
  }
  const state = freshStateFolder("vscode-electron");
  const workspace = copyExamples(state);
  const userDataDir = path.join(state, "user");
  writeUserSettings(userDataDir);
  const resultFile = path.join(state, "result.json");
  try {
    await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: suiteEntry,
      extensionTestsEnv: { [resultFileVariable]: resultFile },
      launchArgs: [
        workspace,
        "--disable-extensions",
        "--disable-workspace-trust",
        `--user-data-dir=${userDataDir}`,
        `--extensions-dir=${path.join(state, "extensions")}`,
      ],
    });
  } catch (error) {
    // A failing test is reported below from the result file; anything else is reported here.
    if (!fs.existsSync(resultFile)) throw error;
  }
  const result = JSON.parse(fs.readFileSync(resultFile, "utf8")) as SuiteResult;
  console.log(countsLine("vscode", result.passed, result.failed));
  return result.failed === 0 && result.passed > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
