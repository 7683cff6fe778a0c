/**
 * A minimal LSP client for protocol tests: spawns the built server (`dist/server.cjs --stdio`,
 * so run `npm run build` first) and talks JSON-RPC to it as an editor would. It answers the
 * server's own requests (settings, dynamic registrations) and records what the server pushes
 * (diagnostics, log messages), so that tests can wait for and assert them.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from "vscode-jsonrpc/node";
import {
  CodeLensRefreshRequest,
  ConfigurationRequest,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidChangeWatchedFilesNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  FileChangeType,
  InitializedNotification,
  InitializeRequest,
  LogMessageNotification,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ShutdownRequest,
  type ClientCapabilities,
  type InitializeResult,
  type LogMessageParams,
  type PublishDiagnosticsParams,
  type Registration,
} from "vscode-languageserver";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const serverBundle = path.join(repoRoot, "dist/server.cjs");

/** How long a test waits for the server before failing with what it logged. */
const WAIT_MS = 10_000;

/** What a client like VS Code announces: pull settings, dynamic registrations, versioned diagnostics. */
export const EDITOR_CAPABILITIES: ClientCapabilities = {
  workspace: {
    configuration: true,
    didChangeConfiguration: { dynamicRegistration: true },
    didChangeWatchedFiles: { dynamicRegistration: true },
    workspaceFolders: true,
  },
  textDocument: {
    synchronization: { dynamicRegistration: false },
    publishDiagnostics: { versionSupport: true, relatedInformation: true, tagSupport: { valueSet: [1, 2] } },
    hover: { contentFormat: ["markdown", "plaintext"] },
    completion: { completionItem: { snippetSupport: true, documentationFormat: ["markdown", "plaintext"] } },
    rename: { prepareSupport: true },
    codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ["quickfix"] } } },
    documentSymbol: { hierarchicalDocumentSymbolSupport: true },
  },
};

export interface SessionOptions {
  /** The folder the server runs in and reports as the workspace folder. */
  folder: string;
  /** The `symcheck` settings section the client answers `workspace/configuration` with. */
  settings?: unknown;
  capabilities?: ClientCapabilities;
  /** The command that starts the server; by default `node dist/server.cjs --stdio`. */
  command?: string[];
  /** What `initialize` sends as `initializationOptions`. */
  initializationOptions?: unknown;
}

/** An editor that asks for CodeLenses again when the server says they changed under unchanged text (VS Code does). */
export const LENS_REFRESHING_CLIENT: ClientCapabilities = { ...EDITOR_CAPABILITIES, workspace: { ...EDITOR_CAPABILITIES.workspace, codeLens: { refreshSupport: true } } };

/** Answers the server's CodeLens refresh requests; the function returned tells how many have come. */
export function countLensRefreshes(session: LspSession): () => number {
  let refreshes = 0;
  session.connection.onRequest(CodeLensRefreshRequest.method, () => {
    refreshes++;
    return null;
  });
  return () => refreshes;
}

/** Waits until `probe` holds, polling; fails the test, naming `what`, after `timeoutMs`. */
export async function eventually(probe: () => boolean | Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !(await probe()); ) {
    if (Date.now() > deadline) assert.fail(`no ${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export class LspSession {
  readonly connection: MessageConnection;
  readonly initializeResult: Promise<InitializeResult>;
  /** Every `textDocument/publishDiagnostics`, in arrival order. */
  readonly published: PublishDiagnosticsParams[] = [];
  readonly logs: LogMessageParams[] = [];
  readonly registrations: Registration[] = [];
  /** Every other notification (`$/progress`, symcheck's own), in arrival order. */
  readonly notifications: { method: string; params: unknown }[] = [];
  /** The settings answered to `workspace/configuration`; tests may replace them. */
  settings: unknown;
  private stderr = "";
  private readonly waiters = new Set<() => void>();
  private readonly exited: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    options: SessionOptions,
  ) {
    this.settings = options.settings ?? {};
    child.stderr.on("data", (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
    this.connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    this.connection.onRequest(ConfigurationRequest.type, (params) => params.items.map(() => this.settings));
    this.connection.onRequest(RegistrationRequest.type, (params) => this.record(this.registrations, ...params.registrations));
    this.connection.onNotification(PublishDiagnosticsNotification.type, (params) => this.record(this.published, params));
    this.connection.onNotification(LogMessageNotification.type, (params) => this.record(this.logs, params));
    this.connection.onNotification((method, params) => this.record(this.notifications, { method, params }));
    this.connection.listen();
    this.initializeResult = this.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: pathToFileURL(options.folder).href,
      workspaceFolders: [{ uri: pathToFileURL(options.folder).href, name: path.basename(options.folder) }],
      capabilities: options.capabilities ?? EDITOR_CAPABILITIES,
      initializationOptions: options.initializationOptions,
    });
  }

  /** Starts the server in `folder` and completes the `initialize` handshake. */
  static async start(options: SessionOptions): Promise<LspSession> {
    if (!existsSync(serverBundle)) throw new Error(`${serverBundle} is missing: run \`npm run build\` first`);
    const [command, ...args] = options.command ?? [process.execPath, serverBundle, "--stdio"];
    const session = new LspSession(spawn(command, args, { cwd: options.folder }), options);
    const died = session.exited.then((code) => Promise.reject(new Error(`the server exited (${code}) before initializing:\n${session.stderr}`)));
    await Promise.race([session.initializeResult, died]);
    await session.connection.sendNotification(InitializedNotification.type, {});
    return session;
  }

  uriOf(file: string): string {
    return pathToFileURL(file).href;
  }

  async open(uri: string, text: string, version = 1): Promise<void> {
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: "symmetry", version, text },
    });
  }

  /** Replaces the whole text, as a client without incremental sync does. */
  async change(uri: string, version: number, text: string): Promise<void> {
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ text }] });
  }

  async close(uri: string): Promise<void> {
    await this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  async fileChanged(file: string, type: FileChangeType = FileChangeType.Changed): Promise<void> {
    await this.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: this.uriOf(file), type }] });
  }

  /** New `symcheck` settings: answered when the server asks, and pushed with the notification (as VS Code does). */
  async settingsChanged(settings: unknown): Promise<void> {
    this.settings = settings;
    await this.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: { symcheck: settings } });
  }

  /** How many diagnostics notifications have arrived: pass it to `diagnostics` to wait for a newer one. */
  mark(): number {
    return this.published.length;
  }

  /**
   * The first diagnostics for `uri` published after `since` (a `mark()`) that satisfy
   * `accept` (e.g. a version), waiting for them if need be.
   */
  async diagnostics(uri: string, since = 0, accept: (params: PublishDiagnosticsParams) => boolean = () => true): Promise<PublishDiagnosticsParams> {
    const matches = (params: PublishDiagnosticsParams) => params.uri === uri && accept(params);
    return this.waitFor(() => this.published.slice(since).find(matches), `diagnostics for ${uri}`);
  }

  /** Resolves with `probe()` once it returns something, or fails after WAIT_MS with the server's output. */
  async waitFor<T>(probe: () => T | undefined, what: string): Promise<T> {
    const immediate = probe();
    if (immediate !== undefined) return immediate;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no ${what} within ${WAIT_MS} ms; server log:\n${this.transcript()}`));
      }, WAIT_MS);
      const check = () => {
        const value = probe();
        if (value === undefined) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(value);
      };
      this.waiters.add(check);
    });
  }

  /** Log messages of type Error (a guarded handler that failed). */
  errorsLogged(): string[] {
    return this.logs.filter((log) => log.type === 1).map((log) => log.message);
  }

  isRunning(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** shutdown + exit, as an editor closes; resolves with the exit code. */
  async shutdown(): Promise<number | null> {
    await this.connection.sendRequest(ShutdownRequest.type);
    await this.connection.sendNotification(ExitNotification.type);
    return this.exited;
  }

  /** Ends the process whatever state it is in (for `after`). */
  dispose(): void {
    this.connection.dispose();
    if (this.isRunning()) this.child.kill();
  }

  private record<T>(list: T[], ...items: T[]): void {
    list.push(...items);
    for (const waiter of [...this.waiters]) waiter();
  }

  private transcript(): string {
    return [...this.logs.map((log) => log.message), this.stderr].join("\n");
  }
}
