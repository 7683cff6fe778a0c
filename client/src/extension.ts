/**
 * The VS Code extension: starts the symcheck language server (dist/server.cjs, forked over
 * Node IPC) for `symmetry` documents, adds its commands, and the Test Explorer's numeric checks
 * (./numericChecks.ts). Everything a spec means is the server's business; this file only wires
 * VS Code to it.
 *
 * Workspace trust: numeric checks run the workspace's models, so they are off in an untrusted
 * workspace. The server learns the trust from the initialization options and from the settings
 * it pulls (this client adds `workspaceTrusted` to the `symcheck` section), and pulls them again
 * when the user grants trust.
 */
import * as vscode from "vscode";
import type { ExplanationArgument, NumericResultArgument } from "../../server/src/features/codeLens";
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type Middleware,
  type ServerOptions,
} from "vscode-languageclient/node";
import { NumericChecks } from "./numericChecks";

/** What `activate` returns: the running client and the numeric checks, for the extension's own tests. */
export interface SymcheckApi {
  client: LanguageClient;
  /** Resolves once the server has answered `initialize`. */
  ready: Promise<void>;
  /** The Test Explorer's controller and the runs' outcomes. */
  numericChecks: NumericChecks;
}

export function activate(context: vscode.ExtensionContext): SymcheckApi {
  const output = vscode.window.createOutputChannel("symcheck", { log: true });
  const serverModule = context.asAbsolutePath("dist/server.cjs");
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ["--nolazy", "--inspect=6009"] } },
  };
  // The client hooks these watchers up again on every restart but never disposes them: they are ours.
  const watchers = ["**/*.onnx", "**/*.npy", "**/*.sym"].map((glob) => vscode.workspace.createFileSystemWatcher(glob));
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "symmetry" },
      { scheme: "untitled", language: "symmetry" },
    ],
    synchronize: {
      // The server re-checks the specs that use a model or an input file when it changes on disk.
      fileEvents: watchers,
    },
    // A function: a restart of the server tells it the trust as it is then.
    initializationOptions: () => ({ workspaceTrusted: vscode.workspace.isTrusted }),
    middleware: trustInSettings,
    outputChannel: output,
  };
  // The id `symcheck` makes the client read the `symcheck.trace.server` setting.
  const client = new LanguageClient("symcheck", "symcheck", serverOptions, clientOptions);
  const numericChecks = new NumericChecks(client, watchers[1]);

  context.subscriptions.push(
    client,
    ...watchers,
    output,
    numericChecks,
    vscode.commands.registerCommand("symcheck.restartServer", () => client.restart()),
    vscode.commands.registerCommand("symcheck.showOutput", () => output.show(true)),
    // The commands of the lenses above each claim: a static verdict's and a numeric result's (their arguments come from the server).
    vscode.commands.registerCommand("symcheck.showStaticExplanation", (argument?: ExplanationArgument) =>
      showExplanation(output, argument, "this command explains a claim's static verdict; use the lens above a claim."),
    ),
    vscode.commands.registerCommand("symcheck.showNumericResult", (argument?: NumericResultArgument) =>
      showExplanation(output, argument, "this command shows a numeric check's result; use the lens above a claim after a check."),
    ),
    // Trust granted: the server pulls the settings again, and learns it from them.
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      if (client.isRunning()) void client.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    }),
  );
  const ready = client.start();
  // The client reports a failed start itself (in the output channel and a notification); this
  // only keeps the rejection from being unhandled when nobody awaits `ready`.
  ready.catch(() => undefined);
  return { client, ready, numericChecks };
}

/** Adds the workspace's trust to the `symcheck` settings the server pulls. */
const trustInSettings: Middleware = {
  workspace: {
    configuration: async (params, token, next) => {
      const answer = await next(params, token);
      if (!Array.isArray(answer)) return answer;
      return answer.map((section: unknown, index) =>
        params.items[index]?.section === "symcheck" && typeof section === "object" && section !== null
          ? { ...section, workspaceTrusted: vscode.workspace.isTrusted }
          : section,
      );
    },
  },
};

/**
 * Logs the whole explanation and shows it in a notification, with a way to the log. Does not
 * wait for the notification to close: the command is done once the explanation is shown.
 */
function showExplanation(output: vscode.LogOutputChannel, argument: { explanation?: unknown } | undefined, misuse: string): void {
  if (typeof argument?.explanation !== "string") {
    void vscode.window.showWarningMessage(`symcheck: ${misuse}`);
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
