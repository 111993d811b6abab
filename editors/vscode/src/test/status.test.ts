// The status bar item made from `scitag/status` answers (shapes from src/server/status.rs).
import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import { viewOfStatus } from '../status';

const counters = {
  version: '0.1.0',
  openDocuments: 2,
  paragraphs: 14,
  entities: 31,
  cacheHits: 40,
  cacheMisses: 14,
  sentencesInferred: 22,
  lastAnalysis: { paragraphs: 7, cacheHits: 6, cacheMisses: 1, sentencesInferred: 2, ms: 41.7 },
};

test('ready: a quiet item, the model and counters in the tooltip', () => {
  const view = viewOfStatus({ ...counters, model: { name: 'jnlpba-minilm (int8)', state: 'ready', error: null } });
  assert.equal(view.text, '$(beaker) scitag');
  assert.equal(view.error, false);
  assert.match(view.tooltip, /jnlpba-minilm \(int8\): ready/);
  assert.match(view.tooltip, /documents: 2, paragraphs: 14, entities: 31/);
  assert.match(view.tooltip, /cache hits\/misses: 40\/14/);
  assert.match(view.tooltip, /last analysis: 42 ms, 7 paragraphs, 2 sentences inferred/);
});

test('loading: a spinning item', () => {
  const view = viewOfStatus({ ...counters, model: { name: null, state: 'loading', error: null } });
  assert.equal(view.text, '$(sync~spin) scitag: loading model');
  assert.equal(view.error, false);
});

test('failed: an error item whose tooltip carries the server message with the fix', () => {
  const error = 'ONNX Runtime was not found (tried: /x/libonnxruntime.so.1); run scripts/setup-ort.sh or set scitag.ortLibPath';
  const view = viewOfStatus({ ...counters, model: { name: null, state: 'failed', error } });
  assert.equal(view.text, '$(error) scitag: no model');
  assert.equal(view.error, true);
  assert.ok(view.tooltip.includes(error));
});

test('an empty answer still gives a readable item', () => {
  const view = viewOfStatus({});
  assert.equal(view.text, '$(beaker) scitag: unknown');
  assert.match(view.tooltip, /documents: –/);
});
