// The scitag VS Code extension: starts `scitag lsp` for Markdown, LaTeX and plain text and adds
// commands, a status bar item and a switch for entity colours around it.

import * as vscode from 'vscode';
import {
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  State,
  TransportKind,
  SemanticTokensRegistrationType,
  DidChangeConfigurationNotification,
} from 'vscode-languageclient/node';

import { resolveServer, type ResolvedServer } from './binary';
import { viewOfStatus, type ServerStatus } from './status';

const LANGUAGES = ['markdown', 'latex', 'tex', 'plaintext'];
const STATUS_POLL_MS = 2000;

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
let statusItem: vscode.StatusBarItem;
let statusTimer: NodeJS.Timeout | undefined;
// Start, stop and restart run one at a time, in order: a second restart waits for the first.
let lifecycle: Promise<void> = Promise.resolve();

function serialized(step: () => Promise<void>): Promise<void> {
  lifecycle = lifecycle.then(step).catch((error: unknown) => {
    output.appendLine(`scitag: ${String(error)}`);
  });
  return lifecycle;
}

function highlightingEnabled(): boolean {
  return vscode.workspace.getConfiguration('scitag').get<boolean>('highlighting.enabled', true);
}

/** The `scitag.*` settings as the server reads them (client-only keys left out). */
function serverSettings(): Record<string, unknown> {
  const configuration = vscode.workspace.getConfiguration('scitag');
  const settings = JSON.parse(JSON.stringify(configuration)) as Record<string, unknown>;
  delete settings.serverPath;
  delete settings.highlighting;
  delete settings.trace;
  return settings;
}

const emptyTokens = (): vscode.SemanticTokens => new vscode.SemanticTokens(new Uint32Array(0));

function refreshSemanticTokens(): void {
  const feature = client?.getFeature(SemanticTokensRegistrationType.method);
  if (feature === undefined) {
    return;
  }
  for (const editor of vscode.window.visibleTextEditors) {
    feature.getProvider(editor.document)?.onDidChangeSemanticTokensEmitter.fire();
  }
}

function showState(text: string, tooltip: string, error = false): void {
  statusItem.text = text;
  statusItem.tooltip = tooltip;
  statusItem.backgroundColor = error ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  statusItem.show();
}

async function pollStatus(): Promise<void> {
  if (client === undefined || client.state !== State.Running || !vscode.window.state.focused) {
    return;
  }
  try {
    const status = await client.sendRequest<ServerStatus>('scitag/status');
    const view = viewOfStatus(status);
    showState(view.text, view.tooltip, view.error);
  } catch (error) {
    showState('$(warning) scitag', `scitag/status failed: ${String(error)}`);
  }
}

function resolve(context: vscode.ExtensionContext): ResolvedServer | undefined {
  const result = resolveServer({
    setting: vscode.workspace.getConfiguration('scitag').get<string>('serverPath', ''),
    extensionPath: context.extensionPath,
    workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    searchPath: process.env.PATH,
    platform: process.platform,
  });
  if (result.ok) {
    return result.server;
  }
  output.appendLine(result.message);
  showState('$(error) scitag', result.message, true);
  void vscode.window.showErrorMessage(result.message, 'Open Settings').then((choice) => {
    if (choice === 'Open Settings') {
      void vscode.commands.executeCommand('workbench.action.openSettings', 'scitag.serverPath');
    }
  });
  return undefined;
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const server = resolve(context);
  if (server === undefined) {
    return;
  }
  output.appendLine(`scitag: starting ${server.command} lsp (${server.source})`);
  const executable = { command: server.command, args: ['lsp'], transport: TransportKind.stdio };
  const serverOptions: ServerOptions = { run: executable, debug: executable };
  const clientOptions: LanguageClientOptions = {
    documentSelector: LANGUAGES.flatMap((language) => [
      { scheme: 'file', language },
      { scheme: 'untitled', language },
    ]),
    initializationOptions: { scitag: serverSettings() },
    outputChannel: output,
    middleware: {
      provideDocumentSemanticTokens: (document, token, next) =>
        highlightingEnabled() ? next(document, token) : emptyTokens(),
      provideDocumentSemanticTokensEdits: (document, previousResultId, token, next) =>
        highlightingEnabled() ? next(document, previousResultId, token) : emptyTokens(),
      provideDocumentRangeSemanticTokens: (document, range, token, next) =>
        highlightingEnabled() ? next(document, range, token) : emptyTokens(),
    },
  };
  const created = new LanguageClient('scitag', 'scitag', serverOptions, clientOptions);
  created.onDidChangeState((event) => {
    if (event.newState === State.Starting) {
      showState('$(sync~spin) scitag: starting', 'The scitag server is starting.');
    } else if (event.newState === State.Stopped) {
      showState('$(circle-slash) scitag: stopped', 'The scitag server is not running. Run "scitag: Restart Server".', true);
    }
  });
  client = created;
  await created.start();
  await pollStatus();
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running !== undefined && running.state !== State.Stopped) {
    await running.stop();
  }
}

export function activate(context: vscode.ExtensionContext): void {
  output = vscode.window.createOutputChannel('scitag');
  statusItem = vscode.window.createStatusBarItem('scitag.status', vscode.StatusBarAlignment.Right, 100);
  statusItem.name = 'scitag';
  statusItem.command = 'scitag.showOutput';
  context.subscriptions.push(output, statusItem);

  context.subscriptions.push(
    vscode.commands.registerCommand('scitag.restartServer', () =>
      serialized(async () => {
        output.appendLine('scitag: restarting the server');
        await stop();
        await start(context);
      }),
    ),
    vscode.commands.registerCommand('scitag.showOutput', () => {
      output.show(true);
    }),
    vscode.commands.registerCommand('scitag.toggleHighlighting', async () => {
      const enabled = !highlightingEnabled();
      await vscode.workspace
        .getConfiguration('scitag')
        .update('highlighting.enabled', enabled, vscode.ConfigurationTarget.Global);
      void vscode.window.setStatusBarMessage(`scitag: entity highlighting ${enabled ? 'on' : 'off'}`, 3000);
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('scitag.highlighting.enabled')) {
        refreshSemanticTokens();
      }
      if (event.affectsConfiguration('scitag.serverPath')) {
        void vscode.commands.executeCommand('scitag.restartServer');
      } else if (event.affectsConfiguration('scitag') && client?.state === State.Running) {
        // The server answers by pulling `workspace/configuration` (section "scitag"); the settings
        // travel along for servers that read them from the notification.
        void client.sendNotification(DidChangeConfigurationNotification.type, { settings: { scitag: serverSettings() } });
      }
    }),
  );

  statusTimer = setInterval(() => void pollStatus(), STATUS_POLL_MS);
  context.subscriptions.push({
    dispose: () => {
      clearInterval(statusTimer);
    },
  });

  void serialized(() => start(context));
}

export function deactivate(): Promise<void> {
  return serialized(stop);
}
