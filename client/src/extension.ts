/**
 * The VS Code extension: starts the symcheck language server (dist/server.cjs, forked over
 * Node IPC) for `symmetry` documents and adds two commands. Everything a spec means is the
 * server's business; this file only wires VS Code to it.
 */
import * as vscode from "vscode";
import type { ExplanationArgument } from "../../server/src/features/codeLens";
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
    // The command of the static-verdict lenses above each claim (its argument comes from the server).
    vscode.commands.registerCommand("symcheck.showStaticExplanation", (argument?: ExplanationArgument) => showStaticExplanation(output, argument)),
  );
  const ready = client.start();
  // The client reports a failed start itself (in the output channel and a notification); this
  // only keeps the rejection from being unhandled when nobody awaits `ready`.
  ready.catch(() => undefined);
  return { client, ready };
}

/**
 * Logs the whole explanation and shows it in a notification, with a way to the log. Does not
 * wait for the notification to close: the command is done once the explanation is shown.
 */
function showStaticExplanation(output: vscode.LogOutputChannel, argument: ExplanationArgument | undefined): void {
  if (typeof argument?.explanation !== "string") {
    void vscode.window.showWarningMessage("symcheck: this command explains a claim's static verdict; use the lens above a claim.");
    return;
  }
  output.info(argument.explanation);
  // Notifications show one paragraph: the lines joined.
  void vscode.window.showInformationMessage(argument.explanation.split("\n").join("; "), "Show in Output").then((choice) => {
    if (choice) output.show(true);
  });
}

/** Nothing to do: VS Code disposes the context's subscriptions, the client first (which stops the server). */
export function deactivate(): void {}
