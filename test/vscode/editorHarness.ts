/**
 * What the editor launchers share (the offline extension-host run and the UI test): building,
 * a fresh state folder per run, code-server started on a free port with its own state, and
 * headless Chromium. Every process started here is ended by `stop()`, by its own process group.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { chromium, type Browser } from "playwright-core";
import { withMisspelledSymmetry } from "./fixtures";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const stateRoot = path.join(repoRoot, ".test-state");

/** Runs a command in the repo, failing with its output when it fails. */
export function runOrFail(command: string, args: string[], what: string): string {
  const run = spawnSync(command, args, { cwd: repoRoot, encoding: "utf8" });
  if (run.status !== 0) {
    throw new Error(`${what} failed (exit ${run.status ?? run.signal}):\n${run.stdout}${run.stderr}`);
  }
  return run.stdout;
}

/** Bundles the extension (dist/) and the extension-host suite (out/vscode-suite/); returns the suite's entry. */
export async function buildExtensionAndSuite(): Promise<string> {
  runOrFail("node", ["scripts/build.mjs"], "building the extension");
  return buildSuite();
}

/**
 * Bundles the extension-host suite into `out/vscode-suite/`: one CommonJS file per `*.suite.ts`
 * plus `index.cjs`, the `extensionTestsPath` entry. `vscode` comes from the extension host and
 * `mocha` from node_modules (one mocha instance for the entry and the suites it loads).
 */
async function buildSuite(): Promise<string> {
  const sources = path.join(repoRoot, "test", "vscode", "suite");
  const outdir = path.join(repoRoot, "out", "vscode-suite");
  const entryPoints = fs
    .readdirSync(sources)
    .filter((name) => name === "index.ts" || name.endsWith(".suite.ts"))
    .map((name) => path.join(sources, name));
  fs.rmSync(outdir, { recursive: true, force: true });
  await esbuild.build({
    entryPoints,
    outdir,
    outExtension: { ".js": ".cjs" },
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    sourcemap: "inline",
    logLevel: "warning",
    external: ["vscode", "mocha"],
  });
  return path.join(outdir, "index.cjs");
}

/** `.test-state/<name>`, emptied: nothing of an earlier run can leak into this one. */
export function freshStateFolder(name: string): string {
  const folder = path.join(stateRoot, name);
  fs.rmSync(folder, { recursive: true, force: true });
  fs.mkdirSync(folder, { recursive: true });
  return folder;
}

/** Copies the example specs and models into `<state>/workspace`, the folder the editor opens. */
export function copyExamples(state: string): string {
  const examples = path.join(repoRoot, "examples");
  const workspace = path.join(state, "workspace");
  const files = fs.existsSync(examples) ? fs.readdirSync(examples).filter((name) => /\.(sym|onnx)$/.test(name)) : [];
  if (!files.some((name) => name.endsWith(".sym"))) {
    throw new Error(`no example specs in ${examples}: run \`npm run examples\` first`);
  }
  fs.mkdirSync(workspace, { recursive: true });
  for (const name of files) fs.copyFileSync(path.join(examples, name), path.join(workspace, name));
  return workspace;
}

/** Writes `tiny_cnn_typo.sym`, tiny_cnn.sym with one mistake, beside the examples; returns its path and text. */
export function writeSpecWithTypo(workspace: string): { file: string; text: string } {
  const file = path.join(workspace, "tiny_cnn_typo.sym");
  const text = withMisspelledSymmetry(fs.readFileSync(path.join(workspace, "tiny_cnn.sym"), "utf8"));
  fs.writeFileSync(file, text);
  return { file, text };
}

/**
 * How a run's workbench treats workspace trust: "disabled" trusts every workspace (what the
 * suites assume unless they say otherwise); "untrusted" turns trust on and opens the folder in
 * Restricted Mode, without the startup prompt that would ask the user to trust it.
 */
export type WorkspaceTrust = "disabled" | "untrusted";

/** The user settings that put a run in its trust mode (see WorkspaceTrust). */
function trustSettings(trust: WorkspaceTrust): Record<string, unknown> {
  if (trust === "disabled") return { "security.workspace.trust.enabled": false };
  return {
    "security.workspace.trust.enabled": true,
    "security.workspace.trust.startupPrompt": "never",
    "security.workspace.trust.untrustedFiles": "open",
  };
}

/**
 * User settings for a test run: no welcome page (it steals the keyboard focus), no auto save
 * (a test's edits must not reach the disk), nothing that phones home, VS Code's default theme.
 */
export function writeUserSettings(userDataDir: string, trust: WorkspaceTrust = "disabled"): void {
  const settings = {
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": false,
    "workbench.enableExperiments": false,
    "files.autoSave": "off",
    ...trustSettings(trust),
    "telemetry.telemetryLevel": "off",
    "update.mode": "none",
    "extensions.autoCheckUpdates": false,
    "extensions.autoUpdate": false,
    "extensions.ignoreRecommendations": true,
    // The state folder lies inside the repo: keep the Git extension from offering to open it.
    "git.enabled": false,
    "workbench.colorTheme": "Default Dark Modern",
    // Screenshots show the whole spec.
    "editor.minimap.enabled": false,
    "editor.wordWrap": "on",
  };
  fs.mkdirSync(path.join(userDataDir, "User"), { recursive: true });
  fs.writeFileSync(path.join(userDataDir, "User", "settings.json"), JSON.stringify(settings, null, 2));
}

/** Installs code-server 4.100.3 under .test-state (once) and returns its executable. */
export function installCodeServer(): string {
  const output = runOrFail("bash", ["scripts/install-code-server.sh"], "installing code-server");
  return output.trim().split("\n").at(-1) ?? "";
}

/** The environment that keeps what a program writes for the user (code-server, its extension host, Chromium) inside `state`. */
function isolatedEnvironment(state: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  const tmp = path.join(state, "tmp");
  fs.mkdirSync(tmp, { recursive: true });
  return {
    ...process.env,
    TMPDIR: tmp,
    XDG_CONFIG_HOME: path.join(state, "xdg-config"),
    XDG_DATA_HOME: path.join(state, "xdg-data"),
    XDG_CACHE_HOME: path.join(state, "xdg-cache"),
    XDG_RUNTIME_DIR: tmp,
    // No extension gallery: a test run looks nothing up outside this machine.
    EXTENSIONS_GALLERY: "{}",
    ...extra,
  };
}

/** code-server's own flags for a run whose state lives in `state`. */
function codeServerStateArgs(state: string, trust: WorkspaceTrust = "disabled"): string[] {
  return [
    "--auth", "none",
    "--disable-telemetry",
    "--disable-update-check",
    ...(trust === "disabled" ? ["--disable-workspace-trust"] : []),
    "--user-data-dir", path.join(state, "user"),
    "--extensions-dir", path.join(state, "extensions"),
    "--config", path.join(state, "config.yaml"),
  ];
}

/** Runs code-server once to completion (e.g. `--install-extension x.vsix`) with the run's state. */
export function runCodeServerCommand(bin: string, state: string, args: string[]): string {
  const run = spawnSync(bin, [...codeServerStateArgs(state), ...args], { env: isolatedEnvironment(state, {}), encoding: "utf8" });
  if (run.status !== 0) throw new Error(`code-server ${args.join(" ")} failed:\n${run.stdout}${run.stderr}`);
  return run.stdout;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("could not find a free port");
  return address.port;
}

export interface CodeServer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  port: number;
  /** Ends code-server and every process it started (extension host, language server). */
  stop(): Promise<void>;
}

/** Starts code-server on a free port with the run's own state; resolves once it answers /healthz. */
export async function startCodeServer(
  bin: string,
  state: string,
  extraEnv: Record<string, string> = {},
  trust: WorkspaceTrust = "disabled",
): Promise<CodeServer> {
  writeUserSettings(path.join(state, "user"), trust);
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const log = fs.openSync(path.join(state, "code-server.log"), "w");
  // Its own process group, so that stop() ends its children too and nothing else.
  const child = spawn(bin, ["--bind-addr", `127.0.0.1:${port}`, ...codeServerStateArgs(state, trust)], {
    env: isolatedEnvironment(state, extraEnv),
    stdio: ["ignore", log, log],
    detached: true,
  });
  fs.closeSync(log);
  const server: CodeServer = { origin, port, stop: () => stopProcessGroup(child) };
  try {
    await waitForHealth(origin, child, 30_000);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

async function waitForHealth(origin: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited (code ${child.exitCode}) before listening: see code-server.log`);
    try {
      if ((await fetch(`${origin}/healthz`)).ok) return;
    } catch {
      // Not listening yet.
    }
    await delay(200);
  }
  throw new Error(`code-server did not answer ${origin}/healthz within ${timeoutMs} ms`);
}

async function stopProcessGroup(child: ChildProcess): Promise<void> {
  const group = child.pid;
  if (group === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  signalGroup(group, "SIGTERM");
  const timer = setTimeout(() => signalGroup(group, "SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
  // The extension host and the language server may outlive their parent for a moment.
  signalGroup(group, "SIGKILL");
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** The folder-opening URL of the workbench, with optional extension-development payload entries. */
export function workbenchUrl(server: CodeServer, folder: string, payload: [string, string][] = []): string {
  const query = new URLSearchParams({ folder });
  if (payload.length > 0) query.set("payload", JSON.stringify(payload));
  return `${server.origin}/?${query.toString()}`;
}

/** A path on the code-server machine as the workbench names it (a vscode-remote URI). */
export function remoteUri(server: CodeServer, file: string): string {
  return `vscode-remote://127.0.0.1:${server.port}${file}`;
}

/**
 * Debian's Chromium, headless, with everything that would reach the network turned off and its
 * files (crash reports) kept in the run's state folder.
 */
export function launchChromium(state: string): Promise<Browser> {
  const executablePath = process.env.SYMCHECK_CHROMIUM ?? "/usr/bin/chromium";
  if (!fs.existsSync(executablePath)) {
    throw new Error(`no Chromium at ${executablePath}: apt-get install chromium (or set SYMCHECK_CHROMIUM)`);
  }
  return chromium.launch({
    executablePath,
    headless: true,
    env: isolatedEnvironment(state, {}),
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The closing line CI reads: `NAME: N passed, N failed`. */
export function countsLine(name: string, passed: number, failed: number): string {
  return `${name}: ${passed} passed, ${failed} failed`;
}
