// Which scitag binary the extension starts: setting, then bundled, then PATH.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

import { resolveServer, expandSetting } from '../binary';

function fakeBinary(directory: string, mode = 0o755): string {
  fs.mkdirSync(directory, { recursive: true });
  const file = path.join(directory, 'scitag');
  fs.writeFileSync(file, '#!/bin/sh\n');
  fs.chmodSync(file, mode);
  return file;
}

function layout() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'scitag-binary-'));
  return {
    root,
    extension: path.join(root, 'extension'),
    onPath: path.join(root, 'bin'),
    custom: path.join(root, 'custom'),
  };
}

function failure(result: ReturnType<typeof resolveServer>): string {
  if (result.ok) {
    throw new Error(`expected no server, got ${result.server.command}`);
  }
  return result.message;
}

const base = { workspaceFolder: undefined, platform: 'linux' as NodeJS.Platform };

test('the serverPath setting wins over the bundled binary and PATH', () => {
  const dirs = layout();
  fakeBinary(path.join(dirs.extension, 'server'));
  fakeBinary(dirs.onPath);
  const custom = fakeBinary(dirs.custom);
  const result = resolveServer({ ...base, setting: custom, extensionPath: dirs.extension, searchPath: dirs.onPath });
  assert.deepEqual(result, { ok: true, server: { command: custom, source: 'setting' } });
});

test('a serverPath that is not an executable file is an error naming the setting, not a silent fallback', () => {
  const dirs = layout();
  fakeBinary(dirs.onPath);
  const result = resolveServer({ ...base, setting: path.join(dirs.custom, 'missing'), extensionPath: dirs.extension, searchPath: dirs.onPath });
  assert.match(failure(result), /scitag\.serverPath/);
});

test('without a setting the bundled binary is used before PATH', () => {
  const dirs = layout();
  const bundled = fakeBinary(path.join(dirs.extension, 'server'));
  fakeBinary(dirs.onPath);
  const result = resolveServer({ ...base, setting: '', extensionPath: dirs.extension, searchPath: dirs.onPath });
  assert.deepEqual(result, { ok: true, server: { command: bundled, source: 'bundled' } });
});

test('a bundled binary that lost its executable bit is repaired and used', () => {
  const dirs = layout();
  const bundled = fakeBinary(path.join(dirs.extension, 'server'), 0o644);
  const result = resolveServer({ ...base, setting: '', extensionPath: dirs.extension, searchPath: '' });
  assert.deepEqual(result, { ok: true, server: { command: bundled, source: 'bundled' } });
  assert.notEqual(fs.statSync(bundled).mode & 0o111, 0);
});

test('PATH is searched last, skipping directories without scitag', () => {
  const dirs = layout();
  const onPath = fakeBinary(dirs.onPath);
  const searchPath = [path.join(dirs.root, 'empty'), dirs.onPath].join(path.delimiter);
  const result = resolveServer({ ...base, setting: '', extensionPath: dirs.extension, searchPath });
  assert.deepEqual(result, { ok: true, server: { command: onPath, source: 'path' } });
});

test('no binary anywhere: a message that says where it looked and what to do', () => {
  const dirs = layout();
  const result = resolveServer({ ...base, setting: '', extensionPath: dirs.extension, searchPath: dirs.onPath });
  const message = failure(result);
  assert.match(message, /not found/);
  assert.ok(message.includes(path.join(dirs.extension, 'server')));
  assert.match(message, /scitag\.serverPath/);
  assert.match(message, /\.vsix/);
});

test('settings expand ~ and ${workspaceFolder}, and are relative to the workspace', () => {
  assert.equal(expandSetting('~/bin/scitag', undefined), path.join(os.homedir(), 'bin/scitag'));
  assert.equal(expandSetting('${workspaceFolder}/target/release/scitag', '/ws'), '/ws/target/release/scitag');
  assert.equal(expandSetting('target/release/scitag', '/ws'), '/ws/target/release/scitag');
  assert.equal(expandSetting('/abs/scitag', '/ws'), '/abs/scitag');
});
