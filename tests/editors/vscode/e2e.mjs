// Drives code-server (real VS Code) in headless Chromium with playwright-core and checks what a user
// of the scitag extension sees. Run by tests/editors/vscode.sh:
//
//   node tests/editors/vscode/e2e.mjs <code-server URL> <workspace folder> <screenshot dir>
//
// Environment: TOOLS_DIR (where playwright-core is installed), CHROMIUM, SETTINGS_FILE (the user
// settings.json code-server reads), SCITAG_TEST_EXPECT (known | any), SCITAG_TEST_TIMEOUT_MS.

import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const require = createRequire(path.join(process.env.TOOLS_DIR, 'package.json'));
const { chromium } = require('playwright-core');

const [base, folder, shots] = process.argv.slice(2);
const expectKnown = (process.env.SCITAG_TEST_EXPECT ?? 'known') === 'known';
const timeoutMs = Number(process.env.SCITAG_TEST_TIMEOUT_MS ?? 120000);
const settingsFile = process.env.SETTINGS_FILE;
// E2E_QUICK=1: colours, hover, status and Problems only (no toggle, restart or theme change).
const quick = process.env.E2E_QUICK === '1';

// editors/vscode/package.json configurationDefaults, as computed CSS colours.
const PALETTES = {
  dark: {
    protein: 'rgb(244, 112, 103)',
    dna: 'rgb(87, 171, 90)',
    rna: 'rgb(176, 131, 240)',
    cellType: 'rgb(83, 155, 245)',
    cellLine: 'rgb(224, 130, 61)',
  },
  light: {
    protein: 'rgb(207, 34, 46)',
    dna: 'rgb(17, 99, 41)',
    rna: 'rgb(130, 80, 223)',
    cellType: 'rgb(5, 80, 174)',
    cellLine: 'rgb(149, 56, 0)',
  },
};
const STYLE = { protein: 'bold', cellType: 'italic', cellLine: 'italic' };

// Entities the default model must find: [file, text of the mention's word, class].
const KNOWN = {
  'sample.md': [
    ['receptor', 'protein'],
    ['Jurkat', 'cellLine'],
    ['monocytes', 'cellType'],
  ],
  'sample.tex': [
    ['receptor', 'protein'],
    ['promoter', 'dna'],
    ['HeLa', 'cellLine'],
  ],
};

let passed = 0;
let failed = 0;
function check(ok, what, detail) {
  if (ok) {
    passed += 1;
    console.log(`ok   ${what}`);
  } else {
    failed += 1;
    console.log(`FAIL ${what}${detail === undefined ? '' : `\n     ${String(detail).replace(/\n/g, '\n     ')}`}`);
  }
  return ok;
}

const squash = (text) => (text ?? '').toLowerCase().replace(/[^a-z0-9]/g, '');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function poll(fn, ms, every = 250) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    last = await fn();
    if (last) {
      return last;
    }
    await sleep(every);
  }
  return last;
}

// Changes user settings the way a user does: "Preferences: Open User Settings (JSON)", replace the
// text, save, close. (code-server does not notice settings.json edited behind its back.)
async function editSettings(page, changes) {
  const settings = JSON.parse(fs.readFileSync(settingsFile, 'utf8'));
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) {
      delete settings[key];
    } else {
      settings[key] = value;
    }
  }
  const text = JSON.stringify(settings, null, 2);
  await runCommand(page, 'Preferences: Open User Settings (JSON)');
  // VS Code 1.139 opens settings.json in a modal editor over the current one.
  const editor = page.locator('.monaco-editor', { hasText: 'telemetry.telemetryLevel' }).last();
  await editor.waitFor({ state: 'visible', timeout: 45000 });
  await editor.locator('.view-lines').click();
  await page.evaluate((value) => navigator.clipboard.writeText(value), text);
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Control+V');
  await page.keyboard.press('Control+S');
  const saved = await poll(async () => {
    try {
      return JSON.stringify(JSON.parse(fs.readFileSync(settingsFile, 'utf8'))) === JSON.stringify(settings) ? true : undefined;
    } catch {
      return undefined;
    }
  }, 10000, 100);
  if (saved !== true) {
    throw new Error(`settings.json was not saved with ${JSON.stringify(changes)}`);
  }
  // Close the modal: Escape, else its close button.
  await page.keyboard.press('Escape');
  try {
    await editor.waitFor({ state: 'hidden', timeout: 3000 });
  } catch {
    const modal = page.locator('div', { has: editor }).filter({ has: page.locator('.codicon-close') }).last();
    await modal.locator('.codicon-close').last().click();
    await editor.waitFor({ state: 'hidden', timeout: 10000 });
  }
}

// Every rendered token span of the active editor: text and computed style.
async function spans(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('.editor-instance .view-line span span')].map((span) => {
      const style = getComputedStyle(span);
      return {
        text: span.textContent,
        color: style.color,
        weight: style.fontWeight,
        fontStyle: style.fontStyle,
        decoration: style.textDecorationLine,
      };
    }),
  );
}

function classOfColour(palette, colour) {
  return Object.keys(palette).find((key) => palette[key] === colour);
}

async function entitySpans(page, palette) {
  return (await spans(page)).filter((span) => classOfColour(palette, span.color) !== undefined && span.text.trim() !== '');
}

async function openFile(page, name) {
  // Quick Open; on a busy machine the first Enter can land before the list settles, so try twice.
  for (let attempt = 1; ; attempt += 1) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input').first();
    await input.waitFor({ state: 'visible', timeout: 45000 });
    await input.fill(name);
    const row = page.locator(`.quick-input-list .monaco-list-row[aria-label*="${name}"]`).first();
    await row.waitFor({ state: 'visible', timeout: 45000 });
    await row.click();
    try {
      await page.waitForSelector(`.tab.active[aria-label*="${name}"]`, { timeout: 20000 });
      break;
    } catch (error) {
      if (attempt === 2) {
        throw error;
      }
    }
  }
  await page.locator('.editor-instance .view-lines').first().click({ position: { x: 5, y: 5 } });
}

async function runCommand(page, title) {
  await page.keyboard.press('F1');
  await page.waitForSelector('.quick-input-widget input', { timeout: 45000 });
  await page.keyboard.type(title);
  await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${title}"]`, { timeout: 45000 });
  await page.keyboard.press('Enter');
}

async function hoverText(page, text) {
  await page.mouse.move(5, 5);
  await sleep(300);
  const target = page
    .locator('.editor-instance .view-line span span', { hasText: new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) })
    .first();
  const box = await target.boundingBox();
  if (box === null) {
    return undefined;
  }
  await page.mouse.move(box.x + Math.min(box.width / 2, 20), box.y + box.height / 2);
  const hover = page.locator('.monaco-hover:not(.hidden)').first();
  try {
    await hover.waitFor({ state: 'visible', timeout: 10000 });
  } catch {
    return undefined;
  }
  await sleep(400);
  return (await hover.allInnerTexts()).join('\n');
}

function headline(text) {
  return (text ?? '').split('\n').find((line) => line.trim() !== '') ?? '';
}

async function statusBarText(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('.statusbar-item')]
      .map((item) => `${item.textContent ?? ''} ${item.getAttribute('aria-label') ?? ''}`)
      .filter((text) => /scitag/i.test(text))
      .join(' | '),
  );
}

async function checkEntities(page, name, palette, shot) {
  const found = await poll(async () => {
    const list = await entitySpans(page, palette);
    return list.length > 0 ? list : undefined;
  }, timeoutMs, 500);
  if (!check(found !== undefined, `${name}: entities are coloured with the extension's default colours`, JSON.stringify((await spans(page)).slice(0, 40)))) {
    return undefined;
  }
  // Let the rest of the file's tokens arrive.
  await sleep(1500);
  const entities = await entitySpans(page, palette);
  const wrongStyle = entities.filter((span) => {
    const cls = classOfColour(palette, span.color);
    return (STYLE[cls] === 'bold' && span.weight !== '700') || (STYLE[cls] === 'italic' && span.fontStyle !== 'italic');
  });
  check(wrongStyle.length === 0, `${name}: ${entities.length} entity spans, with bold proteins and italic cell types/lines`, JSON.stringify(wrongStyle));

  if (expectKnown) {
    const all = await spans(page);
    for (const [word, cls] of KNOWN[name]) {
      const match = all.find((span) => span.text.includes(word) && span.color === palette[cls]);
      check(
        match !== undefined,
        `${name}: "${word}" is coloured as ${cls} (${palette[cls]})`,
        JSON.stringify(all.filter((span) => span.text.includes(word))),
      );
    }
  }

  // Hover on an entity: class and score.
  const probe = expectKnown ? (entities.find((span) => span.text.includes('receptor')) ?? entities[0]) : entities[0];
  const cls = classOfColour(palette, probe.color);
  const text = await hoverText(page, probe.text.trim());
  check(
    text !== undefined && squash(headline(text)).includes(squash(cls)) && /\d+(\.\d+)?\s?%/.test(headline(text)),
    `${name}: hovering "${probe.text.trim()}" shows the class ${cls} and a score`,
    text,
  );
  await page.screenshot({ path: path.join(shots, shot) });
  await page.mouse.move(5, 5);
  return entities;
}

// The rows of the Outline view, as their labels read.
async function outlineRows(page) {
  const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: /outline/i }) }).first();
  return pane.locator('.monaco-list-row').evaluateAll((rows) =>
    rows.map((row) => ({
      label: row.getAttribute('aria-label') ?? row.textContent ?? '',
      expanded: row.getAttribute('aria-expanded'),
    })),
  );
}

async function checkOutline(page, name, heading, shot) {
  await runCommand(page, 'Explorer: Focus on Outline View');
  // Fold the file list so that the Outline has the room of the side bar (and the screenshot shows it).
  const folders = page.locator('.pane', { has: page.locator('.explorer-folders-view') }).locator('.pane-header').first();
  await folders.click().catch(() => undefined);
  const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: /outline/i }) }).first();
  const isClass = (label) => /(protein|cell (type|line)|DNA|RNA)\s*\(\d+\)/i.test(label);
  // VS Code merges the symbols of every provider (the built-in Markdown one answers first): wait for
  // scitag's, expanding what is collapsed (the heading, then its classes) as a user clicks twisties.
  const rows = await poll(async () => {
    const collapsed = pane.locator('.monaco-list-row[aria-expanded="false"]');
    if ((await collapsed.count()) > 0) {
      await collapsed.first().locator('.monaco-tl-twistie').click().catch(() => undefined);
      return undefined;
    }
    const list = (await outlineRows(page)).map((row) => row.label);
    return list.some(isClass) && list.some((label) => /\(constant\)$/.test(label)) ? list : undefined;
  }, 30000, 300);
  const labels = rows ?? (await outlineRows(page)).map((row) => row.label);
  check(labels.some((label) => label.includes(heading)), `${name}: the Outline shows the heading "${heading}"`, JSON.stringify(labels));
  const classRow = labels.find(isClass);
  check(classRow !== undefined, `${name}: under it the entities grouped by class with their counts ("${classRow ?? ''}")`, JSON.stringify(labels));
  // Entity rows (VS Code labels them "name (constant)") name mentions the editor highlights.
  const highlighted = (await entitySpans(page, PALETTES.dark)).map((span) => span.text).join(' ');
  const entityRows = labels
    .filter((label) => /\(constant\)$/.test(label))
    .map((label) => label.replace(/\s*\(constant\)$/, ''));
  check(
    entityRows.length > 0 && entityRows.every((entity) => squash(highlighted).includes(squash(entity))),
    `${name}: under a class the entities it highlights (${entityRows.join(', ')})`,
    JSON.stringify({ labels, highlighted }),
  );
  await page.screenshot({ path: path.join(shots, shot) });
  await folders.click().catch(() => undefined);
  // Back to the editor.
  await page.locator('.editor-instance .view-lines').first().click({ position: { x: 5, y: 5 } });
}

async function main() {
  fs.mkdirSync(shots, { recursive: true });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'scitag-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
    ],
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (error) => console.log(`page error: ${error.message}`));
  try {
    const started = Date.now();
    await page.goto(`${base}/?folder=${encodeURIComponent(folder)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: 120000 });
    await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 120000 });
    check(true, `the workbench loaded in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    // Markdown: colours, hover, status bar.
    await openFile(page, 'sample.md');
    const mdStarted = Date.now();
    const mdEntities = await checkEntities(page, 'sample.md', PALETTES.dark, '1-markdown-hover.png');
    if (mdEntities !== undefined) {
      console.log(`     (first colours after ${((Date.now() - mdStarted) / 1000).toFixed(1)} s)`);
    }
    // The picture for editors/vscode/README.md: the editor with a hover on a cell line.
    if (expectKnown) {
      await hoverText(page, 'Jurkat');
      const editorBox = await page.locator('.part.editor').first().boundingBox();
      if (editorBox !== null) {
        await page.screenshot({ path: path.join(shots, 'readme.png'), clip: { ...editorBox, height: Math.min(editorBox.height, 330) } });
      }
      await page.mouse.move(5, 5);
    }
    // The Outline view (textDocument/documentSymbol): the heading, and under it the entities by class.
    if (mdEntities !== undefined) {
      await checkOutline(page, 'sample.md', 'Glucocorticoid signalling in lymphocytes', '6-outline.png');
    }
    const status = await poll(async () => {
      const text = await statusBarText(page);
      return text !== '' && !/starting/i.test(text) ? text : undefined;
    }, 15000);
    check(status !== undefined && !/error|stopped|not found|no model/i.test(status), 'the status bar shows scitag, not an error', status);

    // Low-confidence: a threshold above every score turns every mention into a warning.
    await editSettings(page, { 'scitag.confidenceThreshold': 1.0, 'scitag.diagnosticSeverity': 'warning' });
    const squiggles = await poll(async () => {
      const count = await page.locator('.editor-instance .squiggly-warning').count();
      return count > 0 ? count : undefined;
    }, timeoutMs, 500);
    check(squiggles !== undefined, `sample.md: confidenceThreshold 1.0 puts warning squiggles under the mentions (${squiggles ?? 0})`);
    // Diagnostics arrive first; the tokens with the modifier follow VS Code's next token request.
    const underlined =
      (await poll(async () => {
        const list = (await entitySpans(page, PALETTES.dark)).filter((span) => span.decoration.includes('underline'));
        return list.length > 0 ? list : undefined;
      }, 30000, 500)) ?? [];
    check(underlined.length > 0, 'sample.md: low-confidence mentions are underlined (the lowConfidence modifier)', JSON.stringify(await entitySpans(page, PALETTES.dark)));
    await page.keyboard.press('Control+Shift+M');
    const problems = await poll(async () => {
      const text = await page.locator('.markers-panel').first().innerText().catch(() => '');
      return /Low-confidence/i.test(text) ? text : undefined;
    }, 20000);
    check(
      problems !== undefined && /scitag/.test(problems) && /low-confidence/.test(problems) && /\d+(\.\d+)?%/.test(problems),
      'the Problems panel lists the low-confidence diagnostics (scitag, low-confidence, score)',
      problems ?? (await page.locator('.markers-panel').first().innerText().catch(() => '(no panel)')),
    );
    await page.screenshot({ path: path.join(shots, '2-problems.png') });
    await editSettings(page, { 'scitag.confidenceThreshold': undefined, 'scitag.diagnosticSeverity': undefined });
    await page.keyboard.press('Control+Shift+M');

    // The glossary: "Ignore «term» in this project" from the Quick Fix menu on a highlight, as a user
    // picks it. VS Code applies the WorkspaceEdit (scitag.toml is created and saved), the server
    // re-applies the glossary, and every mention of the term loses its colour.
    if (mdEntities !== undefined && mdEntities.length > 0) {
      const probe = mdEntities[0].text.trim();
      const span = page
        .locator('.editor-instance .view-line span span', { hasText: new RegExp(probe.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) })
        .first();
      const row = page.locator('.action-widget .monaco-list-row', { hasText: 'Ignore «' }).first();
      // VS Code asks for code actions when the menu opens; right after the diagnostics settings
      // changed it can open on a stale answer (only the generic entries), which a user would see
      // and dismiss. Like the user, close it and ask again (at most three times).
      let offered = false;
      for (let attempt = 0; attempt < 3 && !offered; attempt++) {
        if (attempt > 0) {
          await page.keyboard.press('Escape');
          await page.waitForTimeout(1000);
        }
        await span.click();
        await page.keyboard.press('Control+.');
        offered = await row.waitFor({ state: 'visible', timeout: 10000 }).then(() => true, () => false);
      }
      const title = offered ? (await row.innerText()).trim() : '';
      check(offered, `sample.md: the Quick Fix menu offers "${title}"`, await page.locator('.action-widget').first().innerText().catch(() => '(no menu)'));
      if (offered) {
        const term = (title.match(/«(.+)»/) ?? [])[1] ?? probe;
        await row.click();
        const gone = await poll(async () => {
          const list = await entitySpans(page, PALETTES.dark);
          return list.length > 0 && list.every((s) => !s.text.includes(term)) ? list : undefined;
        }, 60000, 500);
        check(gone !== undefined, `sample.md: after the Quick Fix no mention of "${term}" is coloured`, JSON.stringify((await entitySpans(page, PALETTES.dark)).filter((s) => s.text.includes(term))));
        const glossary = path.join(folder, 'scitag.toml');
        // The edit can reach the disk a moment after the server applied it (code-server saves
        // the created file asynchronously): wait for it rather than race it.
        const read = () => (fs.existsSync(glossary) ? fs.readFileSync(glossary, 'utf8') : '');
        const written = (await poll(async () => (read().includes(term) ? read() : undefined), 15000, 250)) ?? read();
        check(written.includes(term), 'scitag.toml was created in the workspace and lists the term', written);
        await page.screenshot({ path: path.join(shots, '5-glossary-ignore.png') });
        fs.rmSync(glossary, { force: true });
      }
      await page.keyboard.press('Escape');
    }

    if (quick) {
      await openFile(page, 'sample.tex');
      await checkEntities(page, 'sample.tex', PALETTES.dark, '3-latex-hover.png');
    } else {
      // The toggle command removes the colours and brings them back.
      await runCommand(page, 'scitag: Toggle Entity Highlighting');
      const gone = await poll(async () => ((await entitySpans(page, PALETTES.dark)).length === 0 ? true : undefined), 15000);
      await runCommand(page, 'scitag: Toggle Entity Highlighting');
      const back = await poll(async () => ((await entitySpans(page, PALETTES.dark)).length > 0 ? true : undefined), 15000);
      check(gone === true && back === true, '"scitag: Toggle Entity Highlighting" turns the colours off and on');

      // Restart: the server comes back and the colours stay.
      await runCommand(page, 'scitag: Restart Server');
      await sleep(2000);
      const afterRestart = await poll(async () => {
        const text = await statusBarText(page);
        const coloured = (await entitySpans(page, PALETTES.dark)).length > 0;
        return coloured && text !== '' && !/starting|stopped|error/i.test(text) ? text : undefined;
      }, timeoutMs);
      check(afterRestart !== undefined, '"scitag: Restart Server" restarts the server; colours and status come back', await statusBarText(page));

      // LaTeX.
      await openFile(page, 'sample.tex');
      await checkEntities(page, 'sample.tex', PALETTES.dark, '3-latex-hover.png');

      // A light theme gets the light palette.
      await editSettings(page, { 'workbench.colorTheme': 'Light Modern' });
      const light = await poll(async () => {
        const list = await entitySpans(page, PALETTES.light);
        return list.length > 0 ? list : undefined;
      }, 30000);
      check(light !== undefined, 'Light Modern theme: entities use the light palette', JSON.stringify((await spans(page)).slice(0, 30)));
      await page.screenshot({ path: path.join(shots, '4-latex-light.png') });
    }
  } catch (error) {
    check(false, 'the test ran to the end', error.stack ?? String(error));
    await page.screenshot({ path: path.join(shots, 'failure.png') }).catch(() => undefined);
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

await main();
