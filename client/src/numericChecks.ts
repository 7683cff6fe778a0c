/**
 * Numeric checks in VS Code: the Test Explorer (a TestController with one item per spec and,
 * under it, one per claim and symmetry, at the claim's range, which gives gutter icons) and the
 * commands of the palette and the lenses. Every run, whoever starts it, is a TestRun, so its
 * results show in the Test Explorer; the commands also show a cancellable progress notification.
 *
 * The server does the work: `symcheck/listChecks` lists the checks, `symcheck/runChecks` runs
 * them and sends `symcheck/checkResult` as each pair finishes (docs/protocol.md). The items are
 * refreshed from the server when a spec's diagnostics change (the server publishes them after
 * every analysis and every result) and when spec files are created or deleted.
 */
import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import {
  CHECK_RESULT_METHOD,
  LIST_CHECKS_METHOD,
  RUN_CHECKS_METHOD,
  type CheckItem,
  type CheckResult,
  type CheckResultParams,
  type ListChecksParams,
  type ListChecksResult,
  type RunChecksParams,
  type RunChecksResult,
  type SpecChecks,
} from "../../server/src/lsp/protocol";
import type { CheckClaimArgument, CheckFileArgument } from "../../server/src/features/codeLens";

/** How long diagnostics must stay quiet before a spec's items are listed again. */
const REFRESH_DELAY_MS = 200;

/** What one test item's run ended with, as the extension recorded it (for its own tests, and the summary). */
export interface RecordedResult {
  /** The spec's URI and the check's id. */
  uri: string;
  id: string;
  state: "passed" | "failed" | "errored" | "skipped";
  /** The failure's or error's message. */
  message?: string;
  durationMs?: number;
}

export interface RecordedRun {
  results: RecordedResult[];
  /** Why the server refused to run (numeric checks off, no claim at the cursor...), when it did. */
  refusals: string[];
}

export class NumericChecks implements vscode.Disposable {
  readonly controller: vscode.TestController;
  private readonly ended = new vscode.EventEmitter<RecordedRun>();
  /** Fires when a run ends, with what it recorded. */
  readonly onDidEndRun = this.ended.event;
  /** The result handler of each request in flight, by its runId. */
  private readonly listeners = new Map<string, (result: CheckResult) => void>();
  /** Items whose results the Test Explorer shows: invalidated when the server drops them as stale. */
  private readonly itemsWithResults = new Set<vscode.TestItem>();
  private readonly pendingRefreshes = new Map<string, NodeJS.Timeout>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private nextRunId = 0;

  constructor(
    private readonly client: LanguageClient,
    specWatcher: vscode.FileSystemWatcher,
  ) {
    this.controller = vscode.tests.createTestController("symcheck", "symcheck numeric checks");
    this.controller.resolveHandler = async (item) => {
      if (!item) await this.refreshAll();
    };
    this.controller.refreshHandler = () => this.refreshAll();
    const runProfile = async (request: vscode.TestRunRequest, token: vscode.CancellationToken) => void (await this.runTests(request, token));
    this.controller.createRunProfile("Check numerically", vscode.TestRunProfileKind.Run, runProfile, true);
    this.subscriptions.push(
      this.controller,
      this.ended,
      client.onNotification(CHECK_RESULT_METHOD, (params: CheckResultParams) => {
        if (params.runId !== undefined) this.listeners.get(params.runId)?.(params);
      }),
      vscode.languages.onDidChangeDiagnostics((event) => event.uris.filter(isSpec).forEach((uri) => this.refreshSoon(uri))),
      specWatcher.onDidCreate((uri) => this.refreshSoon(uri)),
      specWatcher.onDidChange((uri) => this.refreshSoon(uri)),
      specWatcher.onDidDelete((uri) => this.controller.items.delete(uri.toString())),
      vscode.commands.registerCommand("symcheck.checkClaimAtCursor", (argument?: CheckClaimArgument) => this.checkClaim(argument)),
      vscode.commands.registerCommand("symcheck.checkFile", (argument?: CheckFileArgument | vscode.Uri) => this.checkFile(argument)),
      vscode.commands.registerCommand("symcheck.checkWorkspace", () => this.checkWorkspace()),
    );
  }

  dispose(): void {
    for (const timer of this.pendingRefreshes.values()) clearTimeout(timer);
    for (const subscription of this.subscriptions) subscription.dispose();
  }

  /** Lists every spec of the workspace again (the Test Explorer's refresh button). */
  async refreshAll(): Promise<void> {
    const listed = await this.client.sendRequest<ListChecksResult>(LIST_CHECKS_METHOD, {} satisfies ListChecksParams);
    const kept = new Set(listed.specs.filter((spec) => spec.checks.length > 0).map((spec) => this.showSpec(spec).id));
    this.controller.items.forEach((item) => {
      if (!kept.has(item.id)) this.controller.items.delete(item.id);
    });
  }

  /** Lists one spec's checks again; resolves with its item (undefined when it has no checks or cannot be read). */
  async refresh(uri: vscode.Uri): Promise<vscode.TestItem | undefined> {
    const id = uri.toString();
    try {
      const [spec] = (await this.client.sendRequest<ListChecksResult>(LIST_CHECKS_METHOD, { uri: id } satisfies ListChecksParams)).specs;
      if (spec && spec.checks.length > 0) return this.showSpec(spec);
    } catch {
      // Deleted, or an untitled spec that was closed: it has no item any more.
    }
    this.controller.items.delete(id);
    return undefined;
  }

  private refreshSoon(uri: vscode.Uri): void {
    const id = uri.toString();
    clearTimeout(this.pendingRefreshes.get(id));
    this.pendingRefreshes.set(
      id,
      setTimeout(() => {
        this.pendingRefreshes.delete(id);
        void this.refresh(uri);
      }, REFRESH_DELAY_MS),
    );
  }

  /** Adds or updates a spec's item and its children, keeping the items that still exist (a run may be reporting on them). */
  private showSpec(spec: SpecChecks): vscode.TestItem {
    const uri = vscode.Uri.parse(spec.uri);
    const id = uri.toString();
    const file = this.controller.items.get(id) ?? this.controller.createTestItem(id, vscode.workspace.asRelativePath(uri), uri);
    file.description = spec.numericOff;
    const children = spec.checks.map((check) => this.showCheck(file, check));
    file.children.replace(children);
    this.controller.items.add(file);
    return file;
  }

  private showCheck(file: vscode.TestItem, check: CheckItem): vscode.TestItem {
    const item = file.children.get(check.id) ?? this.controller.createTestItem(check.id, check.label, file.uri);
    item.range = toRange(check.range);
    item.description = check.static ? `static: ${check.static.summary}` : undefined;
    item.busy = check.pending;
    // The server dropped the result as stale (the claim, its model or the check block changed).
    if (check.numeric === null && this.itemsWithResults.delete(item)) this.controller.invalidateTestResults(item);
    return item;
  }

  /** The palette's command (the cursor's claim) and the lens's (the claim at `argument.line`). */
  private async checkClaim(argument: CheckClaimArgument | undefined): Promise<RecordedRun | undefined> {
    const editor = vscode.window.activeTextEditor;
    const target = argument ?? (editor && isSpec(editor.document.uri) ? { uri: editor.document.uri.toString(), line: editor.selection.active.line } : undefined);
    if (!target) {
      void vscode.window.showWarningMessage("symcheck: open a .sym spec and put the cursor on a claim to check it numerically.");
      return undefined;
    }
    const file = await this.refresh(vscode.Uri.parse(target.uri));
    const items: vscode.TestItem[] = [];
    file?.children.forEach((item) => {
      if (item.range && item.range.start.line <= target.line && target.line <= item.range.end.line) items.push(item);
    });
    if (items.length === 0) {
      void vscode.window.showWarningMessage(
        `symcheck: no claim to check on line ${target.line + 1}: put the cursor on an \`invariant\` or \`equivariant\` statement without errors.`,
      );
      return undefined;
    }
    return this.runWithProgress(items, items.length === 1 ? items[0].label : `${items[0].label} and ${items.length - 1} more`);
  }

  /** The lens above `model` and the palette's command (the active spec), or the Explorer's (a file). */
  private async checkFile(argument: CheckFileArgument | vscode.Uri | undefined): Promise<RecordedRun | undefined> {
    const editor = vscode.window.activeTextEditor;
    const uri =
      argument instanceof vscode.Uri ? argument : argument ? vscode.Uri.parse(argument.uri) : editor && isSpec(editor.document.uri) ? editor.document.uri : undefined;
    if (!uri) {
      void vscode.window.showWarningMessage("symcheck: open a .sym spec to check its claims numerically.");
      return undefined;
    }
    const file = await this.refresh(uri);
    if (!file) {
      void vscode.window.showWarningMessage(`symcheck: ${vscode.workspace.asRelativePath(uri)} has no claim to check.`);
      return undefined;
    }
    return this.runWithProgress([file], `checking ${file.label}`);
  }

  private async checkWorkspace(): Promise<RecordedRun | undefined> {
    await this.refreshAll();
    const files: vscode.TestItem[] = [];
    this.controller.items.forEach((item) => files.push(item));
    if (files.length === 0) {
      void vscode.window.showWarningMessage("symcheck: no spec with claims in this workspace.");
      return undefined;
    }
    return this.runWithProgress(files, "checking the workspace");
  }

  /** A run from a command: a cancellable notification shows its progress, and a message its outcome. */
  private runWithProgress(items: vscode.TestItem[], title: string): Thenable<RecordedRun> {
    const options = { location: vscode.ProgressLocation.Notification, title: `symcheck: ${title}`, cancellable: true };
    return vscode.window.withProgress(options, async (progress, token) => {
      const recorded = await this.runTests(new vscode.TestRunRequest(items), token, progress);
      showOutcome(recorded);
      return recorded;
    });
  }

  /** Runs the request's checks (the Test Explorer's run profile, and the commands), spec by spec. */
  async runTests(request: vscode.TestRunRequest, token: vscode.CancellationToken, progress?: vscode.Progress<{ message?: string; increment?: number }>): Promise<RecordedRun> {
    const run = this.controller.createTestRun(request);
    const cancel = new vscode.CancellationTokenSource();
    const links = [token.onCancellationRequested(() => cancel.cancel()), run.token.onCancellationRequested(() => cancel.cancel())];
    const recorded: RecordedRun = { results: [], refusals: [] };
    const bySpec = this.selectedChecks(request);
    const total = [...bySpec.values()].reduce((sum, items) => sum + items.length, 0);
    for (const items of bySpec.values()) items.forEach((item) => run.enqueued(item));
    try {
      for (const [file, items] of bySpec) {
        const report = (result: RecordedResult) => {
          recorded.results.push(result);
          progress?.report({ increment: 100 / total, message: `${recorded.results.length} of ${total}: ${result.id}: ${result.state}` });
        };
        if (cancel.token.isCancellationRequested) items.forEach((item) => report(this.record(run, file, item, { state: "skipped" })));
        else await this.runSpec(run, file, items, cancel.token, report, recorded);
      }
    } finally {
      links.forEach((link) => link.dispose());
      cancel.dispose();
      run.end();
    }
    this.ended.fire(recorded);
    return recorded;
  }

  /** The checks a request names, by spec: an included spec means all its checks; excluded ones are left out. */
  private selectedChecks(request: vscode.TestRunRequest): Map<vscode.TestItem, vscode.TestItem[]> {
    const excluded = new Set(request.exclude ?? []);
    const included: vscode.TestItem[] = [];
    if (request.include) included.push(...request.include);
    else this.controller.items.forEach((item) => included.push(item));
    const bySpec = new Map<vscode.TestItem, vscode.TestItem[]>();
    const add = (file: vscode.TestItem, item: vscode.TestItem) => {
      if (excluded.has(file) || excluded.has(item)) return;
      const items = bySpec.get(file) ?? [];
      if (!items.includes(item)) items.push(item);
      bySpec.set(file, items);
    };
    for (const item of included) {
      if (item.parent) add(item.parent, item);
      else item.children.forEach((child) => add(item, child));
    }
    return bySpec;
  }

  /** Runs some checks of one spec; each result is recorded as it arrives, the rest when the request ends. */
  private async runSpec(
    run: vscode.TestRun,
    file: vscode.TestItem,
    items: vscode.TestItem[],
    token: vscode.CancellationToken,
    report: (result: RecordedResult) => void,
    recorded: RecordedRun,
  ): Promise<void> {
    const runId = `run-${this.nextRunId++}`;
    const unfinished = new Map(items.map((item) => [item.id, item]));
    const finish = (result: CheckResult) => {
      const item = unfinished.get(result.id);
      if (!item) return;
      unfinished.delete(result.id);
      report(this.recordNumeric(run, file, item, result));
    };
    this.listeners.set(runId, finish);
    items.forEach((item) => run.started(item));
    try {
      const params: RunChecksParams = { uri: file.id, ids: items.map((item) => item.id), runId };
      const response = await this.client.sendRequest<RunChecksResult>(RUN_CHECKS_METHOD, params, token);
      response.results.forEach(finish);
    } catch (error) {
      if (!token.isCancellationRequested) {
        const message = error instanceof Error ? error.message : String(error);
        recorded.refusals.push(message);
        for (const item of unfinished.values()) report(this.record(run, file, item, { state: "errored", message }));
        unfinished.clear();
      }
    } finally {
      this.listeners.delete(runId);
      for (const item of unfinished.values()) report(this.record(run, file, item, { state: "skipped" }));
    }
  }

  /** Tells the run a check's numeric result: passed, failed (with the figures, at the claim), errored, or skipped when cancelled. */
  private recordNumeric(run: vscode.TestRun, file: vscode.TestItem, item: vscode.TestItem, { numeric }: CheckResult): RecordedResult {
    if (numeric.status !== "cancelled" && file.uri) {
      const location = item.range ? new vscode.Location(file.uri, item.range) : undefined;
      run.appendOutput(`${numeric.details.replace(/\n/g, "\r\n")}\r\n\r\n`, location, item);
    }
    const state = ({ passed: "passed", failed: "failed", error: "errored", cancelled: "skipped" } as const)[numeric.status];
    const message = state === "failed" || state === "errored" ? numeric.text : undefined;
    return this.record(run, file, item, { state, message, durationMs: numeric.ms });
  }

  private record(run: vscode.TestRun, file: vscode.TestItem, item: vscode.TestItem, outcome: Omit<RecordedResult, "uri" | "id">): RecordedResult {
    const testMessage = () => {
      const message = new vscode.TestMessage(outcome.message ?? "");
      if (file.uri && item.range) message.location = new vscode.Location(file.uri, item.range);
      return message;
    };
    if (outcome.state === "passed") run.passed(item, outcome.durationMs);
    else if (outcome.state === "failed") run.failed(item, testMessage(), outcome.durationMs);
    else if (outcome.state === "errored") run.errored(item, testMessage(), outcome.durationMs);
    else run.skipped(item);
    if (outcome.state === "skipped") this.itemsWithResults.delete(item);
    else this.itemsWithResults.add(item);
    return { uri: file.id, id: item.id, ...outcome };
  }
}

/** A spec file, or an editor's spec that is not saved yet. */
function isSpec(uri: vscode.Uri): boolean {
  return uri.path.endsWith(".sym") || vscode.workspace.textDocuments.some((document) => document.uri.toString() === uri.toString() && document.languageId === "symmetry");
}

function toRange(range: CheckItem["range"]): vscode.Range {
  return new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
}

/** One notification for a run from a command: why it could not run, what failed, or that all passed. */
function showOutcome(recorded: RecordedRun): void {
  const [refusal] = recorded.refusals;
  if (refusal) {
    const untrusted = !vscode.workspace.isTrusted;
    const action = untrusted ? ["Manage Workspace Trust"] : [];
    void vscode.window.showErrorMessage(`symcheck: ${refusal}`, ...action).then((choice) => {
      if (choice) void vscode.commands.executeCommand("workbench.trust.manage");
    });
    return;
  }
  const counts = (["failed", "errored", "passed", "skipped"] as const)
    .map((state) => [state, recorded.results.filter((result) => result.state === state).length] as const)
    .filter(([, count]) => count > 0)
    .map(([state, count]) => `${count} ${state === "skipped" ? "cancelled" : state === "errored" ? "could not run" : state}`);
  const problems = recorded.results.filter((result) => result.message);
  const text = problems.length === 1 && recorded.results.length === 1 ? problems[0].message : counts.join(", ");
  if (problems.length > 0) void vscode.window.showErrorMessage(`symcheck: ${text}`);
  else void vscode.window.showInformationMessage(`symcheck numeric checks: ${text}`);
}
