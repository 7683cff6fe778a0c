/**
 * The language server: capabilities, and one handler per LSP message, each a thin adapter from
 * the protocol to a feature function of `server/src/features`. Every handler is guarded: a bug
 * in a feature is logged with its stack and answered with an empty result, so one bad request
 * never takes the server (and every other open spec's diagnostics) down. Numeric checks have
 * their own requests (./numeric.ts); their results join the diagnostics and lenses here.
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
import { codeLenses, numericActionLenses, numericResultLenses, type NumericLensState } from "../features/codeLens";
import { complete } from "../features/completion";
import { toLspDiagnostic, toLspDiagnostics } from "../features/diagnostics";
import { foldingRanges } from "../features/folding";
import { hover } from "../features/hover";
import { definition, prepareRename, references, rename } from "../features/navigation";
import { documentSymbols } from "../features/symbols";
import { ModelCache } from "../onnx/cache";
import type { SpecAnalysis } from "../service/analysis";
import { NumericService, type CheckFunction, type RunnerFactory } from "../service/numericChecks";
import { checkPairs, NumericResults, type CheckPair } from "../service/numericResults";
import { numericDiagnostics } from "../service/numericWords";
import { createModelRunner } from "../symmetry/numeric/runner";
import { version } from "../version";
import { registerNumericRequests } from "./numeric";
import { DEFAULT_SETTINGS, initialSettings, numericChecksOff, readSettings, type ServerSettings } from "./settings";
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

/** What the server runs numeric checks with; tests give fakes. */
export interface ServerDependencies {
  createRunner: RunnerFactory;
  /** The numeric engine; `checkNumerically` when absent. */
  check?: CheckFunction;
}

const PRODUCT_DEPENDENCIES: ServerDependencies = { createRunner: createModelRunner };

export function startServer(connection: Connection, dependencies: ServerDependencies = PRODUCT_DEPENDENCIES): void {
  const documents = new TextDocuments(TextDocument);
  let client: ClientCapabilities = {};
  let workspaceFolders: string[] = [];
  /** The settings in force, once they have arrived (analyses wait for them through the workspace). */
  let settings: ServerSettings = DEFAULT_SETTINGS;
  /** Before the first settings arrive, and for what a client's settings leave out: the trust it started in. */
  let settingsDefaults: ServerSettings = DEFAULT_SETTINGS;
  const numeric = new NumericService({
    createRunner: dependencies.createRunner,
    check: dependencies.check,
    timeoutMs: DEFAULT_SETTINGS.numeric.timeoutSeconds * 1000,
    results: new NumericResults(),
  });

  const logFailure = (what: string, error: unknown) =>
    connection.console.error(`${what} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);

  /** A spec's lenses, in the order editors show them on a line: actions, static verdicts, numeric results. */
  const lensesOf = (uri: string, analysis: SpecAnalysis, pairs: readonly CheckPair[] = checkPairs(analysis)) => {
    const state: NumericLensState = {
      uri,
      pairs,
      off: numericChecksOff(settings),
      result: (pair) => numeric.results.get(analysis.specPath, pair),
      pending: (pair) => numeric.isPending(analysis.specPath, pair),
    };
    return [...numericActionLenses(analysis, state), ...codeLenses(analysis), ...numericResultLenses(state)];
  };

  /**
   * The lens titles last published per spec. Editors ask for lenses again when the text changes,
   * but not when a model changes on disk, the settings do or a numeric check finishes: then the
   * lenses may change under unchanged text, and the client is asked to refresh them.
   */
  const publishedLenses = new Map<string, string>();
  const refreshLensesIfChanged = (uri: string, analysis: SpecAnalysis, pairs: readonly CheckPair[]): void => {
    const lenses = JSON.stringify(lensesOf(uri, analysis, pairs).map((lens) => lens.command?.title));
    const previous = publishedLenses.get(uri);
    publishedLenses.set(uri, lenses);
    if (previous === undefined || previous === lenses || !client.workspace?.codeLens?.refreshSupport) return;
    connection.sendRequest(CodeLensRefreshRequest.type).catch((error: unknown) => logFailure("refreshing the code lenses", error));
  };

  /**
   * Publishes a spec's diagnostics, the numeric results that are still current included (stale
   * ones are dropped here), and refreshes its lenses if they changed.
   */
  const publish = async (uri: string, analysis: SpecAnalysis, version?: number): Promise<void> => {
    const pairs = checkPairs(analysis);
    numeric.results.prune(analysis, pairs);
    const diagnostics = [...toLspDiagnostics(analysis), ...numericDiagnostics(analysis, pairs, numeric.results).map(toLspDiagnostic)];
    await connection.sendDiagnostics({ uri, version, diagnostics });
    refreshLensesIfChanged(uri, analysis, pairs);
  };

  /** Specs that are not open whose numeric results were published (a run from the Test Explorer): kept current as their files change. */
  const closedWithResults = new Set<string>();

  /** Publishes a spec again after its numeric state changed: from the editor's text if open, else from the file. */
  const republish = (uri: string): void => {
    const document = workspace.documentOf(uri);
    if (!document) closedWithResults.add(uri);
    workspace
      .analysisOfFile(uri)
      .then((analysis) => publish(uri, analysis, workspace.documentOf(uri)?.version))
      .catch((error: unknown) => logFailure(`publishing the numeric results of ${uri}`, error));
  };

  /** A spec that is not open changed on disk: its results may be stale; deleted, its diagnostics go. */
  const closedSpecChanged = (uri: string): void => {
    workspace
      .analysisOfFile(uri)
      .then((analysis) => publish(uri, analysis))
      .catch(() => {
        closedWithResults.delete(uri);
        publishedLenses.delete(uri);
        return connection.sendDiagnostics({ uri, diagnostics: [] });
      })
      .catch((error: unknown) => logFailure("clearing diagnostics", error));
  };

  const workspace = new SpecWorkspace({
    models: new ModelCache(),
    untitledFolder: () => workspaceFolders[0] ?? process.cwd(),
    analyzed: (document, analysis) => publish(document.uri, analysis, document.version),
    failed: (uri, error) => logFailure(`checking ${uri}`, error),
    debounceMs: TYPING_PAUSE_MS,
  });

  /** New settings (pending while the client is asked): the workspace re-checks with them, the numeric checks take their timeout. */
  const useSettings = (next: Promise<ServerSettings>): void => {
    void workspace.useSettings(next);
    void next.then((arrived) => {
      settings = arrived;
      numeric.setTimeout(arrived.numeric.timeoutSeconds * 1000);
    });
  };

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
      return readSettings(await connection.workspace.getConfiguration({ section: "symcheck" }), settingsDefaults);
    } catch (error) {
      logFailure("reading the symcheck settings", error);
      return settingsDefaults;
    }
  };

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    client = params.capabilities;
    workspaceFolders = fileWorkspaceFolders(params);
    settingsDefaults = initialSettings(params.initializationOptions);
    useSettings(Promise.resolve(settingsDefaults));
    return { capabilities: CAPABILITIES, serverInfo: { name: "symcheck", version } };
  });

  connection.onInitialized(
    guarded("initialized", () => {
      if (client.workspace?.didChangeWatchedFiles?.dynamicRegistration) {
        connection.client
          .register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: "**/*.onnx" }, { globPattern: "**/*.npy" }] })
          .catch((error: unknown) => logFailure("watching model and input files", error));
      }
      if (client.workspace?.didChangeConfiguration?.dynamicRegistration) {
        connection.client
          .register(DidChangeConfigurationNotification.type, { section: "symcheck" })
          .catch((error: unknown) => logFailure("listening to settings", error));
      }
      if (client.workspace?.configuration) useSettings(fetchSettings());
    }),
  );

  connection.onDidChangeConfiguration(
    guarded("didChangeConfiguration", (params) => {
      // Clients that cannot be asked (no workspace/configuration) push the settings instead.
      const pushed = (params.settings as { symcheck?: unknown } | null)?.symcheck;
      useSettings(client.workspace?.configuration ? fetchSettings() : Promise.resolve(readSettings(pushed, settingsDefaults)));
    }),
  );

  connection.onDidChangeWatchedFiles(
    guarded("didChangeWatchedFiles", ({ changes }) => {
      const files = changes
        .map((change) => filePathOf(change.uri))
        .filter((file): file is string => file !== undefined && /\.(onnx|npy)$/i.test(file));
      if (files.length > 0) workspace.filesChanged(files);
      // A closed spec with published results whose file changed, or any of them when a model or an input file changed (it may be theirs).
      const closedSpecs = files.length > 0 ? [...closedWithResults] : changes.map((change) => change.uri).filter((uri) => closedWithResults.has(uri));
      for (const uri of closedSpecs) if (!workspace.documentOf(uri)) closedSpecChanged(uri);
    }),
  );

  documents.onDidChangeContent(guarded("didOpen/didChange", ({ document }) => workspace.update(document)));
  documents.onDidClose(
    guarded("didClose", ({ document }) => {
      workspace.close(document.uri);
      publishedLenses.delete(document.uri);
      closedWithResults.delete(document.uri);
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
  connection.onCodeLens(specRequest("codeLens", null, (analysis, params) => lensesOf(params.textDocument.uri, analysis)));
  registerNumericRequests({
    connection,
    workspace,
    numeric,
    settings: () => settings,
    workspaceFolders: () => workspaceFolders,
    republish,
    logFailure,
  });
  // The runner's worker process ends with the server.
  connection.onShutdown(() => numeric.dispose());
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

/**
 * The workspace folders that are file folders: untitled specs resolve model paths against the
 * first, and `symcheck/listChecks` looks for specs in all of them.
 */
function fileWorkspaceFolders(params: InitializeParams): string[] {
  const uris = params.workspaceFolders?.map((folder) => folder.uri) ?? (params.rootUri ? [params.rootUri] : []);
  return uris.map((uri) => filePathOf(uri)).filter((folder): folder is string => folder !== undefined);
}

function refusal(message: string): ResponseError {
  return new ResponseError(LSPErrorCodes.RequestFailed, message);
}

/** `only` filters by kind prefix: `quickfix` also admits `quickfix.foo`. */
function isRequestedKind(kind: string | undefined, only: string[] | undefined): boolean {
  if (!only) return true;
  return kind !== undefined && only.some((wanted) => kind === wanted || kind.startsWith(`${wanted}.`));
}
