// The status bar item: what `scitag/status` says about the model, in one short line plus a
// tooltip with the counters. The shape is the server's contract (src/server/status.rs).

export interface ServerStatus {
  version?: string;
  openDocuments?: number;
  paragraphs?: number;
  entities?: number;
  cacheHits?: number;
  cacheMisses?: number;
  sentencesInferred?: number;
  lastAnalysis?: { paragraphs?: number; cacheHits?: number; cacheMisses?: number; sentencesInferred?: number; ms?: number };
  /** `state`: not-loaded, loading, ready or failed; `error` says why it failed and how to fix it. */
  model?: { name?: string | null; state?: string; error?: string | null } | null;
}

export interface StatusView {
  text: string;
  tooltip: string;
  error: boolean;
}

function count(value: number | undefined): string {
  return value === undefined ? '–' : String(value);
}

export function viewOfStatus(status: ServerStatus): StatusView {
  const state = status.model?.state ?? 'unknown';
  const name = status.model?.name ?? 'no model';
  const failed = state === 'failed';
  const lines = [`scitag ${status.version ?? ''} — model ${name}: ${state}`.replace('  ', ' ')];
  if (failed && status.model?.error) {
    lines.push('', status.model.error);
  }
  lines.push(
    '',
    `documents: ${count(status.openDocuments)}, paragraphs: ${count(status.paragraphs)}, entities: ${count(status.entities)}`,
    `cache hits/misses: ${count(status.cacheHits)}/${count(status.cacheMisses)}, sentences inferred: ${count(status.sentencesInferred)}`,
  );
  const last = status.lastAnalysis;
  if (last?.ms !== undefined) {
    lines.push(
      `last analysis: ${last.ms.toFixed(0)} ms, ${count(last.paragraphs)} paragraphs, ${count(last.sentencesInferred)} sentences inferred`,
    );
  }
  lines.push('', 'Click to show the output.');

  let text: string;
  if (state === 'ready') {
    text = '$(beaker) scitag';
  } else if (state === 'loading') {
    text = '$(sync~spin) scitag: loading model';
  } else if (failed) {
    text = '$(error) scitag: no model';
  } else {
    text = `$(beaker) scitag: ${state}`;
  }
  return { text, tooltip: lines.join('\n'), error: failed };
}
