// Finding the scitag binary: the `scitag.serverPath` setting, then the binary bundled in the
// extension (platform .vsix), then `scitag` on PATH. Kept free of the vscode API so the order is
// easy to read and to reason about.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export type ServerSource = 'setting' | 'bundled' | 'path';

export interface ResolvedServer {
  command: string;
  source: ServerSource;
}

export interface ResolveInputs {
  /** The `scitag.serverPath` setting, possibly empty. */
  setting: string;
  /** The extension's install directory. */
  extensionPath: string;
  /** The first workspace folder, for `${workspaceFolder}` and relative settings. */
  workspaceFolder: string | undefined;
  /** `process.env.PATH`. */
  searchPath: string | undefined;
  platform: NodeJS.Platform;
}

export type ResolveResult = { ok: true; server: ResolvedServer } | { ok: false; message: string };

export function executableName(platform: NodeJS.Platform): string {
  return platform === 'win32' ? 'scitag.exe' : 'scitag';
}

function isExecutableFile(file: string, platform: NodeJS.Platform): boolean {
  try {
    if (!fs.statSync(file).isFile()) {
      return false;
    }
    if (platform !== 'win32') {
      fs.accessSync(file, fs.constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}

/** A .vsix is a zip; should an installer drop the mode bits, the bundled binary gets them back. */
function restoreExecutableBit(file: string, platform: NodeJS.Platform): void {
  if (platform === 'win32') {
    return;
  }
  try {
    const mode = fs.statSync(file).mode;
    if ((mode & 0o111) === 0) {
      fs.chmodSync(file, mode | 0o755);
    }
  } catch {
    // No bundled binary: the caller goes on to PATH.
  }
}

/** Expands `~` and `${workspaceFolder}` and makes a relative path relative to the workspace. */
export function expandSetting(setting: string, workspaceFolder: string | undefined): string {
  let value = setting.trim();
  if (value === '~' || value.startsWith('~/')) {
    value = path.join(os.homedir(), value.slice(1));
  }
  if (workspaceFolder !== undefined) {
    value = value.split('${workspaceFolder}').join(workspaceFolder);
    if (!path.isAbsolute(value)) {
      value = path.join(workspaceFolder, value);
    }
  }
  return value;
}

export function resolveServer(inputs: ResolveInputs): ResolveResult {
  const name = executableName(inputs.platform);
  if (inputs.setting.trim() !== '') {
    const command = expandSetting(inputs.setting, inputs.workspaceFolder);
    if (isExecutableFile(command, inputs.platform)) {
      return { ok: true, server: { command, source: 'setting' } };
    }
    return {
      ok: false,
      message: `scitag.serverPath is set to "${inputs.setting}", but ${command} is not an executable file. Fix the setting or clear it to use the bundled binary.`,
    };
  }

  const bundled = path.join(inputs.extensionPath, 'server', name);
  restoreExecutableBit(bundled, inputs.platform);
  if (isExecutableFile(bundled, inputs.platform)) {
    return { ok: true, server: { command: bundled, source: 'bundled' } };
  }

  for (const directory of (inputs.searchPath ?? '').split(path.delimiter)) {
    if (directory === '') {
      continue;
    }
    const candidate = path.join(directory, name);
    if (isExecutableFile(candidate, inputs.platform)) {
      return { ok: true, server: { command: candidate, source: 'path' } };
    }
  }

  return {
    ok: false,
    message:
      'scitag: the language server binary was not found. This extension build has no bundled binary ' +
      `(looked in ${path.join(inputs.extensionPath, 'server')}) and "${name}" is not on PATH. ` +
      'Install the platform .vsix for your system, or build scitag (cargo build --release) and set scitag.serverPath.',
  };
}
