/**
 * The VS Code extension: starts the symcheck language server (dist/server.cjs, forked over
 * Node IPC) for `symmetry` documents and adds two commands. Everything a spec means is the
 * server's business; this file only wires VS Code to it.
 */
import * as vscode from "vscode";
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from "vscode-languageclient/node";

/** What `activate` returns: the running client, for the extension's own tests. */
export interface SymcheckApi {
  client: LanguageClient;
  /** Resolves once the server has answered `initialize`. */
  ready: Promise<void>;
}

export function activate(context: vscode.ExtensionContext): SymcheckApi {
  const output = vscode.window.createOutputChannel("symcheck", { log: true });
  const serverModule = context.asAbsolutePath("dist/server.cjs");
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ["--nolazy", "--inspect=6009"] } },
  };
  // The client hooks these watchers up again on every restart but never disposes them: they are ours.
  const watchers = [vscode.workspace.createFileSystemWatcher("**/*.onnx"), vscode.workspace.createFileSystemWatcher("**/*.sym")];
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "symmetry" },
      { scheme: "untitled", language: "symmetry" },
    ],
    synchronize: {
      // The server re-checks the specs that use a model when it changes on disk.
      fileEvents: watchers,
    },
    outputChannel: output,
  };
  // The id `symcheck` makes the client read the `symcheck.trace.server` setting.
  const client = new LanguageClient("symcheck", "symcheck", serverOptions, clientOptions);

  context.subscriptions.push(
    client,
    ...watchers,
    output,
    vscode.commands.registerCommand("symcheck.restartServer", () => client.restart()),
    vscode.commands.registerCommand("symcheck.showOutput", () => output.show(true)),
  );
  const ready = client.start();
  // The client reports a failed start itself (in the output channel and a notification); this
  // only keeps the rejection from being unhandled when nobody awaits `ready`.
  ready.catch(() => undefined);
  return { client, ready };
}

/** Nothing to do: VS Code disposes the context's subscriptions, the client first (which stops the server). */
export function deactivate(): void {}
