/**
 * What the extension-host tests share: the fixture workspace, opening specs, and waiting for
 * what VS Code reports. Everything here asks VS Code itself (its diagnostics and its provider
 * commands), so a test passes only when a user of the editor would see the same.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import type { SymcheckApi } from "../../../client/src/extension";
import type { RecordedRun } from "../../../client/src/numericChecks";

const extensionId = "symcheck.symcheck";
const defaultTimeoutMs = 20_000;

/** The fresh copy of `examples/` that the launcher opened as the workspace folder. */
function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, "the launcher must open the fixture folder as the workspace");
  return folder.uri.fsPath;
}

export function workspaceFile(name: string): string {
  return path.join(workspaceRoot(), name);
}

/** Activates the extension through its public API and waits for the language server to start. */
export async function activateSymcheck(): Promise<SymcheckApi> {
  const extension = vscode.extensions.getExtension<SymcheckApi>(extensionId);
  assert.ok(extension, `extension ${extensionId} is not installed in this extension host`);
  const api = await extension.activate();
  await api.ready;
  return api;
}

/** Writes a spec into the workspace: each test uses files of its own, so tests cannot disturb each other. */
export function writeSpec(name: string, text: string): vscode.Uri {
  const file = workspaceFile(name);
  fs.writeFileSync(file, text);
  return vscode.Uri.file(file);
}

/** The text of an example spec of the fixture workspace. */
export function exampleText(name: string): string {
  return fs.readFileSync(workspaceFile(name), "utf8");
}

/**
 * Opens a spec in an editor and resolves with the diagnostics of the server's first report on
 * it (an empty list is a report too: the server publishes on every open).
 */
export async function openSpec(uri: vscode.Uri): Promise<{ document: vscode.TextDocument; diagnostics: vscode.Diagnostic[] }> {
  const firstReport = nextDiagnostics(uri, "the first diagnostics report after opening");
  // Awaited below; this keeps a timeout from being an unhandled rejection if opening fails first.
  firstReport.catch(() => undefined);
  const document = await vscode.workspace.openTextDocument(uri);
  assert.equal(document.languageId, "symmetry", `${path.basename(uri.fsPath)} should open as a symmetry spec`);
  await vscode.window.showTextDocument(document);
  return { document, diagnostics: await firstReport };
}

/** Resolves with the next diagnostics VS Code reports for `uri`. */
function nextDiagnostics(uri: vscode.Uri, what: string, timeoutMs = defaultTimeoutMs): Promise<vscode.Diagnostic[]> {
  return waitForDiagnostics(uri, () => true, what, timeoutMs, false);
}

/**
 * Resolves with the diagnostics of `uri` once `accept` holds for them: at once if it already
 * does (unless `checkNow` is false), else on a later report; rejects after the timeout saying
 * what was awaited and what VS Code shows instead.
 */
export function waitForDiagnostics(
  uri: vscode.Uri,
  accept: (diagnostics: vscode.Diagnostic[]) => boolean,
  what: string,
  timeoutMs = defaultTimeoutMs,
  checkNow = true,
): Promise<vscode.Diagnostic[]> {
  return new Promise((resolve, reject) => {
    const settleIfAccepted = (): void => {
      const diagnostics = vscode.languages.getDiagnostics(uri);
      if (accept(diagnostics)) {
        stop();
        resolve(diagnostics);
      }
    };
    const subscription = vscode.languages.onDidChangeDiagnostics((event) => {
      if (event.uris.some((changed) => changed.toString() === uri.toString())) settleIfAccepted();
    });
    const timer = setTimeout(() => {
      stop();
      const now = describeDiagnostics(vscode.languages.getDiagnostics(uri));
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; diagnostics now: ${now}`));
    }, timeoutMs);
    const stop = (): void => {
      subscription.dispose();
      clearTimeout(timer);
    };
    if (checkNow) settleIfAccepted();
  });
}

export function errorsOf(diagnostics: vscode.Diagnostic[]): vscode.Diagnostic[] {
  return diagnostics.filter((diagnostic) => diagnostic.severity === vscode.DiagnosticSeverity.Error);
}

/** One line per diagnostic, as the Problems panel shows them (1-based lines), for failure messages. */
export function describeDiagnostics(diagnostics: readonly vscode.Diagnostic[]): string {
  if (diagnostics.length === 0) return "(none)";
  return diagnostics
    .map((d) => `${vscode.DiagnosticSeverity[d.severity]} at ${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.message}`)
    .join(" | ");
}

/**
 * The range of the first match of `pattern` in the document; for a pattern with a capture
 * group, the range of group 1 (`/input\s+(image)/` is the name `image` in its declaration).
 */
export function rangeOf(document: vscode.TextDocument, pattern: string | RegExp): vscode.Range {
  const text = document.getText();
  const { start, length } = typeof pattern === "string" ? { start: text.indexOf(pattern), length: pattern.length } : findGroup(text, pattern);
  assert.ok(start >= 0, `${pattern} does not occur in ${path.basename(document.fileName)}`);
  return new vscode.Range(document.positionAt(start), document.positionAt(start + length));
}

function findGroup(text: string, pattern: RegExp): { start: number; length: number } {
  const match = new RegExp(pattern.source, `${pattern.flags.replace("d", "")}d`).exec(text);
  const [start, end] = match?.indices?.[1] ?? match?.indices?.[0] ?? [-1, -1];
  return { start, length: end - start };
}

/** The position `offset` characters into the first match of `pattern` (see rangeOf). */
export function positionOf(document: vscode.TextDocument, pattern: string | RegExp, offset = 0): vscode.Position {
  return rangeOf(document, pattern).start.translate(0, offset);
}

/** Hover text as a user reads it: all the hover parts joined. */
export function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((hover) => hover.contents)
    .map((content) => (typeof content === "string" ? content : content.value))
    .join("\n");
}

/** Writes `bytes` to `file` and makes sure its modification time moves on, whatever the clock's resolution. */
export function rewriteFile(file: string, bytes: Uint8Array): void {
  const before = fs.statSync(file).mtimeMs;
  fs.writeFileSync(file, bytes);
  if (fs.statSync(file).mtimeMs <= before) {
    const later = new Date(before + 1000);
    fs.utimesSync(file, later, later);
  }
}

/** The lenses VS Code shows, as `line: title`. */
export async function lensTitles(document: vscode.TextDocument): Promise<string[]> {
  const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>("vscode.executeCodeLensProvider", document.uri);
  return lenses.map((lens) => `${lens.range.start.line}: ${lens.command?.title ?? "(no title)"}`);
}

/** Polls the lenses until one matches. */
export async function waitForLens(document: vscode.TextDocument, pattern: RegExp): Promise<string> {
  for (const deadline = Date.now() + defaultTimeoutMs; ; ) {
    const titles = await lensTitles(document);
    const found = titles.find((title) => pattern.test(title));
    if (found) return found;
    if (Date.now() > deadline) assert.fail(`no lens matching ${pattern}; lenses: ${titles.join(" | ")}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A numeric run's results as `check id: state`. */
export function outcomes(run: RecordedRun | undefined): string[] {
  assert.ok(run, "the command ran checks");
  return run.results.map((result) => `${result.id}: ${result.state}`);
}
