/**
 * The language server: capabilities, and one handler per LSP message, each a thin adapter from
 * the protocol to a feature function of `server/src/features`. Every handler is guarded: a bug
 * in a feature is logged with its stack and answered with an empty result, so one bad request
 * never takes the server (and every other open spec's diagnostics) down.
 */
import {
  CodeActionKind,
  CodeLensRefreshRequest,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  LSPErrorCodes,
  ResponseError,
  TextDocuments,
  TextDocumentSyncKind,
  type CancellationToken,
  type ClientCapabilities,
  type Connection,
  type InitializeParams,
  type InitializeResult,
  type ServerCapabilities,
  type TextDocumentIdentifier,
} from "vscode-languageserver";
import { TextDocument } from "vscode-languageserver-textdocument";
import { codeActions } from "../features/codeActions";
import { codeLenses } from "../features/codeLens";
import { complete } from "../features/completion";
import { toLspDiagnostics } from "../features/diagnostics";
import { foldingRanges } from "../features/folding";
import { hover } from "../features/hover";
import { definition, prepareRename, references, rename } from "../features/navigation";
import { documentSymbols } from "../features/symbols";
import { ModelCache } from "../onnx/cache";
import type { SpecAnalysis } from "../service/analysis";
import { version } from "../version";
import { DEFAULT_SETTINGS, readSettings, type ServerSettings } from "./settings";
import { filePathOf, Readdress } from "./uris";
import { SpecWorkspace } from "./workspace";

/** Long enough to skip the keystrokes of a word, short enough to feel immediate. */
const TYPING_PAUSE_MS = 150;

const CAPABILITIES: ServerCapabilities = {
  textDocumentSync: TextDocumentSyncKind.Incremental,
  hoverProvider: true,
  completionProvider: {
    // Where the next word has a small, known set of candidates: axis names after `[` and `,`,
    // constructor arguments after `(`, axis kinds after `:`, constructors after `=`,
    // distributions after `~`. Not space: that would pop the list up between any two words;
    // editors already complete words as they are typed.
    triggerCharacters: ["[", ",", "(", ":", "=", "~"],
  },
  documentSymbolProvider: true,
  definitionProvider: true,
  referencesProvider: true,
  renameProvider: { prepareProvider: true },
  foldingRangeProvider: true,
  codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
  // The static verdict of each (claim, symmetry) pair, above the claim; computed with the analysis, nothing to resolve.
  codeLensProvider: { resolveProvider: false },
};

export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  let client: ClientCapabilities = {};
  let workspaceFolder: string | undefined;

  const logFailure = (what: string, error: unknown) =>
    connection.console.error(`${what} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);

  /**
   * The lens titles last published per spec. Editors ask for lenses again when the text changes,
   * but not when a model changes on disk or the settings do: then the verdicts may change under
   * unchanged text, and the client is asked to refresh its lenses.
   */
  const publishedLenses = new Map<string, string>();
  const refreshLensesIfChanged = (uri: string, analysis: SpecAnalysis): void => {
    const lenses = JSON.stringify(codeLenses(analysis).map((lens) => lens.command?.title));
    const previous = publishedLenses.get(uri);
    publishedLenses.set(uri, lenses);
    if (previous === undefined || previous === lenses || !client.workspace?.codeLens?.refreshSupport) return;
    connection.sendRequest(CodeLensRefreshRequest.type).catch((error: unknown) => logFailure("refreshing the code lenses", error));
  };

  const workspace = new SpecWorkspace({
    models: new ModelCache(),
    untitledFolder: () => workspaceFolder ?? process.cwd(),
    analyzed: async (document, analysis) => {
      await connection.sendDiagnostics({ uri: document.uri, version: document.version, diagnostics: toLspDiagnostics(analysis) });
      refreshLensesIfChanged(document.uri, analysis);
    },
    failed: (uri, error) => logFailure(`checking ${uri}`, error),
    debounceMs: TYPING_PAUSE_MS,
  });

  /** Runs a notification handler, logging what it throws. */
  const guarded =
    <P>(what: string, handle: (params: P) => void) =>
    (params: P) => {
      try {
        handle(params);
      } catch (error) {
        logFailure(what, error);
      }
    };

  /**
   * A request about one spec, answered from the analysis of its current text. `fallback` is
   * the answer when the document is not open, the request was cancelled meanwhile, or the
   * feature threw.
   */
  const specRequest =
    <P extends { textDocument: TextDocumentIdentifier }, R>(
      what: string,
      fallback: R,
      answer: (analysis: SpecAnalysis, params: P, readdress: Readdress) => R | ResponseError,
    ) =>
    async (params: P, token: CancellationToken): Promise<R | ResponseError> => {
      try {
        const analysis = await workspace.analysisOf(params.textDocument.uri);
        if (!analysis || token.isCancellationRequested) return fallback;
        return answer(analysis, params, new Readdress(analysis.specPath, params.textDocument.uri));
      } catch (error) {
        logFailure(what, error);
        return fallback;
      }
    };

  /** Settings pulled from the client; never rejects (a failure is logged and the defaults are used). */
  const fetchSettings = async (): Promise<ServerSettings> => {
    try {
      return readSettings(await connection.workspace.getConfiguration({ section: "symcheck" }));
    } catch (error) {
      logFailure("reading the symcheck settings", error);
      return DEFAULT_SETTINGS;
    }
  };

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    client = params.capabilities;
    workspaceFolder = firstWorkspaceFolder(params);
    return { capabilities: CAPABILITIES, serverInfo: { name: "symcheck", version } };
  });

  connection.onInitialized(
    guarded("initialized", () => {
      if (client.workspace?.didChangeWatchedFiles?.dynamicRegistration) {
        connection.client
          .register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: "**/*.onnx" }] })
          .catch((error: unknown) => logFailure("watching model files", error));
      }
      if (client.workspace?.didChangeConfiguration?.dynamicRegistration) {
        connection.client
          .register(DidChangeConfigurationNotification.type, { section: "symcheck" })
          .catch((error: unknown) => logFailure("listening to settings", error));
      }
      if (client.workspace?.configuration) void workspace.useSettings(fetchSettings());
    }),
  );

  connection.onDidChangeConfiguration(
    guarded("didChangeConfiguration", (params) => {
      // Clients that cannot be asked (no workspace/configuration) push the settings instead.
      const pushed = (params.settings as { symcheck?: unknown } | null)?.symcheck;
      void workspace.useSettings(client.workspace?.configuration ? fetchSettings() : Promise.resolve(readSettings(pushed)));
    }),
  );

  connection.onDidChangeWatchedFiles(
    guarded("didChangeWatchedFiles", ({ changes }) => {
      const models = changes
        .map((change) => filePathOf(change.uri))
        .filter((file): file is string => file !== undefined && file.toLowerCase().endsWith(".onnx"));
      if (models.length > 0) workspace.modelsChanged(models);
    }),
  );

  documents.onDidChangeContent(guarded("didOpen/didChange", ({ document }) => workspace.update(document)));
  documents.onDidClose(
    guarded("didClose", ({ document }) => {
      workspace.close(document.uri);
      publishedLenses.delete(document.uri);
      connection.sendDiagnostics({ uri: document.uri, diagnostics: [] }).catch((error: unknown) => logFailure("clearing diagnostics", error));
    }),
  );

  connection.onHover(specRequest("hover", null, (analysis, params) => hover(analysis, params.position)));
  connection.onCompletion(specRequest("completion", null, (analysis, params) => complete(analysis, params.position)));
  connection.onDocumentSymbol(specRequest("documentSymbol", null, (analysis) => documentSymbols(analysis)));
  connection.onDefinition(
    specRequest("definition", null, (analysis, params, readdress) =>
      definition(analysis, params.position).map((location) => readdress.location(location)),
    ),
  );
  connection.onReferences(
    specRequest("references", null, (analysis, params, readdress) =>
      references(analysis, params.position, params.context.includeDeclaration).map((location) => readdress.location(location)),
    ),
  );
  // Why a name cannot be renamed (or not to that) is for the user: editors show a request's error message.
  connection.onPrepareRename(
    specRequest("prepareRename", null, (analysis, params) => {
      const result = prepareRename(analysis, params.position);
      if (!result) return null;
      return "error" in result ? refusal(result.error) : result;
    }),
  );
  connection.onRenameRequest(
    specRequest("rename", null, (analysis, params, readdress) => {
      const result = rename(analysis, params.position, params.newName);
      return "error" in result ? refusal(result.error) : readdress.edit(result);
    }),
  );
  connection.onFoldingRanges(specRequest("foldingRange", null, (analysis) => foldingRanges(analysis)));
  connection.onCodeLens(specRequest("codeLens", null, (analysis) => codeLenses(analysis)));
  connection.onCodeAction(
    specRequest("codeAction", null, (analysis, params, readdress) =>
      codeActions(analysis, params.range, params.context.diagnostics)
        .filter((action) => isRequestedKind(action.kind, params.context.only))
        .map((action) => readdress.codeAction(action)),
    ),
  );

  documents.listen(connection);
  connection.listen();
}

/** The folder untitled specs resolve model paths against: the first workspace folder, if it is a file folder. */
function firstWorkspaceFolder(params: InitializeParams): string | undefined {
  const uri = params.workspaceFolders?.[0]?.uri ?? params.rootUri;
  return uri ? filePathOf(uri) : undefined;
}

function refusal(message: string): ResponseError {
  return new ResponseError(LSPErrorCodes.RequestFailed, message);
}

/** `only` filters by kind prefix: `quickfix` also admits `quickfix.foo`. */
function isRequestedKind(kind: string | undefined, only: string[] | undefined): boolean {
  if (!only) return true;
  return kind !== undefined && only.some((wanted) => kind === wanted || kind.startsWith(`${wanted}.`));
}
