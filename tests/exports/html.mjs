// Opens scitag's HTML export in headless Chromium (playwright-core) and checks what a co-author sees:
// coloured entities, the legend, the table, the findings, and that the page makes no network request
// (only the file itself is loaded). Saves a screenshot. Run by tests/exports/html.sh:
//
//   node tests/exports/html.mjs <page.html> <screenshot.png>
//
// Environment: TOOLS_DIR (where playwright-core is installed), CHROMIUM.

import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(path.join(process.env.TOOLS_DIR, 'package.json'));
const { chromium } = require('playwright-core');

const [page_file, shot] = process.argv.slice(2);
const url = pathToFileURL(path.resolve(page_file)).href;
// The light palette of editors/vscode and editors/nvim, as computed CSS colours.
const COLOURS = { protein: 'rgb(207, 34, 46)', dna: 'rgb(17, 99, 41)', cellType: 'rgb(5, 80, 174)' };

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM, headless: true });
let failures = 0;
const check = (ok, what) => {
  console.log(`${ok ? 'ok' : 'FAILED'} - ${what}`);
  if (!ok) failures += 1;
};
try {
  const context = await browser.newContext({ viewport: { width: 900, height: 1200 } });
  const page = await context.newPage();
  const requests = [];
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(url, { waitUntil: 'load' });
  check(requests.length === 1 && requests[0] === url, `only the page itself is loaded (${requests.join(', ')})`);
  const marks = await page.locator('mark.e').count();
  check(marks > 10, `entities are marked (${marks})`);
  for (const [key, colour] of Object.entries(COLOURS)) {
    const first = page.locator(`mark.c-${key}`).first();
    const got = (await first.count()) ? await first.evaluate((e) => getComputedStyle(e).color) : 'none';
    check(got === colour, `${key} is coloured as in the editors (${got})`);
  }
  const title = await page.locator('mark.e').first().getAttribute('title');
  check(/ · \d+\.\d% · line \d+, column \d+$/.test(title ?? ''), `a mark's hover gives class, score and place (${title})`);
  const low = await page.locator('mark.e.low').first();
  const decoration = (await low.count()) ? await low.evaluate((e) => getComputedStyle(e).textDecorationStyle) : 'none';
  check(decoration === 'dashed', `low-confidence mentions are dashed (${decoration})`);
  check((await page.locator('table tr').count()) > 5, 'the entity table has rows');
  check((await page.locator('ul.findings li').count()) > 0, 'the findings are listed');
  check((await page.locator('.legend').first().innerText()).includes('protein'), 'the legend names the classes');
  await page.screenshot({ path: shot, fullPage: false });
  console.log(`screenshot: ${shot}`);
} finally {
  await browser.close();
}
console.log(failures ? `${failures} failed` : 'all passed');
process.exit(failures ? 1 : 0);
