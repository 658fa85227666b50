// End-to-end tests of the real desktop app: WebDriver (tauri-driver + WebKitWebDriver) drives
// the app window under Xvfb. Run by scripts/test-desktop.sh, which starts the driver and sets
//   WD_PORT            the tauri-driver port
//   CROSSWALK_APP      the app binary (built from ui/dist, started with CROSSWALK_TEST_HOOKS=1)
//   CROSSWALK_SHARED_DIR  where samples/real lives
//   E2E_OUT            where the screenshots go
//
// WebDriver cannot operate a native GTK dialog, so each test hands the app the path a dialog
// would have returned through the one test-only hook, `test_hand_over_path` (refused unless the
// app started with CROSSWALK_TEST_HOOKS=1). Everything after the dialog runs for real.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { remote } from 'webdriverio';

const port = Number(process.env.WD_PORT ?? 4444);
const app = process.env.CROSSWALK_APP;
const shared = process.env.CROSSWALK_SHARED_DIR ?? resolve(import.meta.dirname, '../../../../shared');
const out = process.env.E2E_OUT ?? resolve(import.meta.dirname, '../../test-output');
const sample = join(shared, 'samples/real/aws-securityhub-controls-export-sample.csv');
// From samples/README.md: the Security Hub export holds 497 controls, ACM.1 … WorkSpaces.2.
const SAMPLE_ROWS = 497;
const SAMPLE_SET = 'aws-securityhub-controls-export-sample';
/** The target accepted with the keyboard for ACM.1; the exported matrix must carry it. */
let acceptedByKeyboard = null;
/** The matrix the export test wrote. */
let exportedMatrix = null;

assert.ok(app, 'CROSSWALK_APP must name the built app binary');
mkdirSync(out, { recursive: true });
const work = mkdtempSync(join(tmpdir(), 'crosswalk-e2e-'));

/** @type {WebdriverIO.Browser} */
let browser;

/**
 * Saves a picture of the screen as test output (never asserted). WebKitWebDriver's own
 * screenshot waits for the next repaint and hangs on an idle page, so the X display is grabbed
 * instead, after two animation frames so the picture shows what the last action changed.
 */
async function shot(name) {
  await browser.executeAsync((done) => {
    const fallback = setTimeout(done, 1000);
    requestAnimationFrame(() => requestAnimationFrame(() => (clearTimeout(fallback), done())));
  });
  try {
    execFileSync('/usr/bin/import', ['-window', 'root', join(out, `${name}.png`)], { timeout: 20_000 });
  } catch (e) {
    console.warn(`screenshot ${name} not saved: ${e.message}`);
  }
}

/** A test that leaves a picture of the window behind when it fails, to see why. */
function check(name, fn) {
  it(name, async () => {
    try {
      await fn();
    } catch (e) {
      const slug = name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
      await shot(`failed-${slug}`).catch(() => {});
      throw e;
    }
  });
}

/** Prints a figure for the run's log; figures are reported, never asserted. */
function figure(what, ms) {
  console.log(`# figure: ${what}: ${Math.round(ms)} ms`);
}

/** Calls a shell command from inside the page, as the UI would. */
async function invoke(command, args = {}) {
  return browser.executeAsync(
    (command, args, done) => {
      window.__TAURI_INTERNALS__
        .invoke(command, args)
        .then((v) => done({ ok: v ?? null }))
        .catch((e) => done({ err: e }));
    },
    command,
    args,
  );
}

async function handOver(path) {
  const r = await invoke('test_hand_over_path', { path });
  assert.equal(r.err, undefined, `the test hook must be on: ${JSON.stringify(r.err)}`);
}

async function byTestId(id, timeout = 20_000) {
  const el = await browser.$(`[data-testid="${id}"]`);
  await el.waitForExist({ timeout, timeoutMsg: `[data-testid="${id}"] never appeared` });
  return el;
}

async function textOf(id, timeout) {
  return (await byTestId(id, timeout)).getText();
}

/**
 * The text content of the first element matching `selector`, or null. WebDriver's getText
 * leaves out text that overflows its box, as the grid's ellipsised cells do; this reads the DOM.
 */
async function contentOf(selector) {
  return browser.execute((sel) => document.querySelector(sel)?.textContent ?? null, selector);
}

/** The text of each cell of the grid row with that 1-based index, or null when not rendered. */
async function gridRow(index) {
  return browser.execute((i) => {
    const row = document.querySelector(`[data-testid="grid-body"] [aria-rowindex="${i}"]`);
    return row ? [...row.querySelectorAll('[role="gridcell"]')].map((c) => c.textContent.trim()) : null;
  }, index);
}

/**
 * Filters the grid to one requirement set. The set list follows the engagement summary, which
 * the window reads again after an import (it checks the whole audit chain): wait for it.
 */
async function chooseSet(name) {
  const option = await browser.$(`[data-testid="filter-set"] option[value="${name}"]`);
  await option.waitForExist({ timeout: 120_000, timeoutMsg: `the set ${name} never appeared in the set filter` });
  await (await byTestId('filter-set')).selectByAttribute('value', name);
}

async function waitText(id, pattern, timeout = 30_000) {
  await browser.waitUntil(async () => pattern.test(await textOf(id, timeout)), {
    timeout,
    timeoutMsg: `[data-testid="${id}"] never matched ${pattern}`,
  });
  return textOf(id);
}

before(async () => {
  browser = await remote({
    hostname: '127.0.0.1',
    port,
    logLevel: 'warn',
    // A command that hangs fails the test instead of being retried for minutes.
    connectionRetryTimeout: 90_000,
    connectionRetryCount: 0,
    capabilities: { 'tauri:options': { application: app } },
  });
  await browser.setWindowSize(1280, 800).catch(() => {});
});

after(async () => {
  await browser?.deleteSession().catch(() => {});
});

describe('the desktop workbench', { concurrency: false }, () => {
  check('starts on the start screen with the test hand-over on', async () => {
    await byTestId('screen-start');
    const info = await invoke('app_info');
    assert.equal(info.ok.test_hooks, true, 'the e2e run must start the app with CROSSWALK_TEST_HOOKS=1');
    await shot('01-start');
  });

  check('creates an engagement with a customer, workloads and a preset', async () => {
    await (await byTestId('customer')).setValue('Harbourline Logistics');
    // Workloads are added one by one (button or Enter); a duplicate is refused with a message.
    await (await byTestId('workloads')).setValue('billing');
    await (await byTestId('workload-add')).click();
    await (await byTestId('workloads')).setValue('portal');
    await browser.keys('Enter');
    await (await byTestId('workloads')).setValue('Billing');
    await (await byTestId('workload-add')).click();
    await waitText('workload-error', /Billing is already in the list/);
    await (await byTestId('workloads')).clearValue();
    const chips = await browser.execute(() => [...document.querySelectorAll('[data-testid="workload-chip"] span')].map((e) => e.textContent));
    assert.deepEqual(chips, ['billing', 'portal']);
    await shot('01b-start-workloads');
    await handOver(join(work, 'harbourline.crosswalk'));
    await (await byTestId('create')).click();
    assert.equal(await textOf('customer-name'), 'Harbourline Logistics');
    const s = await invoke('engagement_summary');
    assert.deepEqual(s.ok.workloads, ['billing', 'portal'], 'the workloads were stored with the engagement');
    await byTestId('screen-import');
  });

  check('previews and imports a real Security Hub export', async () => {
    await handOver(sample);
    await (await byTestId('import-pick')).click();
    const dry = await waitText('dry-requirements', /^\d+$/);
    assert.equal(Number(dry), SAMPLE_ROWS, 'the dry run reads every control of the sample');
    assert.equal(Number(await textOf('dry-added')), SAMPLE_ROWS, 'all are new to the empty engagement');
    assert.equal((await invoke('engagement_summary')).ok.sets.length, 0, 'a dry run stores nothing');
    await shot('02-import-preview');
    await (await byTestId('import-commit')).click();
    const result = await waitText('import-result', /Imported/);
    assert.match(result, new RegExp(`${SAMPLE_ROWS} added`));
    await shot('03-import-done');
  });

  check('shows the rows in the grid and maps the first one with the keyboard', async () => {
    await (await byTestId('tab-requirements')).click();
    await waitText('row-count', new RegExp(`^${SAMPLE_ROWS} rows`));
    // The grid shows the sheet's rows in source order: ACM.1 first, with its text.
    // The grid shows the sheet's rows in source order: ACM.1 first, with its title and text.
    await browser.waitUntil(async () => (await gridRow(1))?.[0] === 'ACM.1', {
      timeout: 20_000,
      timeoutMsg: 'the first grid row never showed ACM.1',
    });
    await shot('04a-grid');
    const [ref, title, text, section, coverage, row] = await gridRow(1);
    assert.equal(ref, 'ACM.1');
    assert.equal(title, 'Imported and ACM-issued certificates should be renewed after a specified time period');
    assert.match(text, /^This control checks whether an AWS Certificate Manager \(ACM\) certificate is renewed/);
    assert.equal(section, 'Protect > Data Protection > Encryption of data-in-transit');
    assert.equal(coverage, 'Gap', 'nothing is mapped yet');
    assert.equal(row, '2', 'the sheet row under the header');
    const firstRow = await browser.$('[data-testid="grid-body"] [aria-rowindex="1"]');
    await waitText('panel-ref', /:ACM\.1$/);
    // The panel's suggestions are those of ACM.1 (not of a row shown before).
    const list = await browser.$('[data-testid="suggestions"][data-ready="true"][data-for$=":ACM.1"]');
    await list.waitForExist({ timeout: 30_000, timeoutMsg: 'the suggestions of ACM.1 never loaded' });
    const offered = await browser.$$('[data-testid="suggestion"]');
    assert.ok(offered.length >= 2, `ACM.1 gets several suggestions: ${offered.length}`);
    const first = await offered[0].getAttribute('data-ref');
    const second = await offered[1].getAttribute('data-ref');
    // Keyboard: focus is on the grid (a click on the selected row), not in a field. `a` accepts
    // the highlighted suggestion and moves the highlight on; `r` rejects the next one.
    await firstRow.click();
    await browser.keys('a');
    await browser.waitUntil(
      async () => (await browser.$(`[data-testid="suggestion"][data-ref="${first}"]`).getAttribute('data-decision')) === 'accepted',
      { timeout: 20_000, timeoutMsg: 'pressing a did not accept the highlighted suggestion' },
    );
    await browser.keys('r');
    await browser.waitUntil(
      async () => (await browser.$(`[data-testid="suggestion"][data-ref="${second}"]`).getAttribute('data-decision')) === 'rejected',
      { timeout: 20_000, timeoutMsg: 'pressing r did not reject the next suggestion' },
    );
    // Both decisions are in the engagement file; the accepted one shows in the panel's mappings.
    await browser.waitUntil(async () => (await textOf('mappings')).includes(first), {
      timeout: 20_000,
      timeoutMsg: `the accepted ${first} never appeared among the mappings`,
    });
    const detail = await invoke('requirement_detail', { set: SAMPLE_SET, ref: 'ACM.1', top: 8 });
    const status = Object.fromEntries(detail.ok.mappings.map((m) => [m.target, m.status]));
    assert.deepEqual(status, { [first]: 'accepted', [second]: 'rejected' }, 'exactly what the keyboard decided is stored');
    assert.notEqual(detail.ok.requirement.coverage, 'gap', 'an accepted mapping covers the requirement');
    // Each workload's coverage in the panel follows the decision too (derived from the mappings).
    const storedWorkloads = JSON.stringify(detail.ok.workloads.map((w) => [w.workload, w.coverage]));
    assert.notEqual(storedWorkloads, JSON.stringify([['billing', 'gap'], ['portal', 'gap']]), 'the accepted mapping covers the workloads');
    await browser.waitUntil(
      async () =>
        JSON.stringify(
          await browser.execute(() => [...document.querySelectorAll('[data-testid="workload-assessment"]')].map((r) => [r.dataset.workload, r.dataset.coverage])),
        ) === storedWorkloads,
      { timeout: 20_000, timeoutMsg: `the panel never showed the workloads' new coverage ${storedWorkloads}` },
    );
    acceptedByKeyboard = first;
    await shot('04-grid-mapping');
    // `n` moves to the next requirement, in the grid and in the panel.
    await browser.keys('n');
    await waitText('panel-ref', /:ACM\.2$/);
    const selected = await browser.$('[data-testid="grid-body"] [aria-selected="true"]');
    assert.equal(await selected.getAttribute('aria-rowindex'), '2', 'the grid selection moved to the second row');
    assert.equal((await gridRow(2))[0], 'ACM.2');
    assert.notEqual((await gridRow(1))[4], 'Gap', 'the first row shows its new coverage');
  });

  check('assesses a requirement for one workload in the mapping panel', async () => {
    await waitText('panel-ref', /:ACM\.2$/);
    // The panel names ACM.2 at once but keeps ACM.1's detail (its workloads, Edit buttons) until
    // ACM.2's arrives; reading or clicking before then acts on the old rows while they move.
    await (await browser.$('[data-testid="suggestions"][data-ready="true"][data-for$=":ACM.2"]')).waitForExist({
      timeout: 20_000,
      timeoutMsg: "ACM.2's detail never arrived in the mapping panel",
    });
    const rows = async () =>
      browser.execute(() =>
        [...document.querySelectorAll('[data-testid="workload-assessment"]')].map((r) => [r.dataset.workload, r.dataset.coverage, r.dataset.source]),
      );
    await browser.waitUntil(async () => (await rows()).length === 2, { timeout: 20_000, timeoutMsg: 'the two workloads never showed in the panel' });
    assert.deepEqual(await rows(), [
      ['billing', 'gap', 'derived'],
      ['portal', 'gap', 'derived'],
    ]);
    const auditBefore = (await invoke('engagement_summary')).ok.audit_entries;
    await (await browser.$('[data-testid="workload-assessment"][data-workload="billing"] [data-testid="edit-workload"]')).click();
    assert.equal(await (await byTestId('assessment-scope')).getValue(), 'billing');
    await (await byTestId('owner')).setValue('Billing team');
    await (await byTestId('override')).selectByAttribute('value', 'not_applicable');
    await (await byTestId('override-reason')).setValue('no ACM here');
    await (await byTestId('save-assessment')).click();
    await waitText('assessment-saved', /Saved for billing/);
    await browser.waitUntil(async () => JSON.stringify(await rows()) === JSON.stringify([
      ['billing', 'not_applicable', 'workload_override'],
      ['portal', 'gap', 'derived'],
    ]), { timeout: 20_000, timeoutMsg: `billing's row never showed its override: ${JSON.stringify(await rows())}` });
    const stored = (await invoke('requirement_detail', { set: SAMPLE_SET, ref: 'ACM.2', top: 1 })).ok;
    assert.equal(stored.requirement.coverage, 'gap', 'the requirement as a whole keeps its coverage');
    assert.deepEqual(
      stored.workloads.map((w) => [w.workload, w.owner, w.own]),
      [['billing', 'Billing team', true], ['portal', '', false]],
    );
    const audit = (await invoke('audit_log', { offset: 0, limit: 1 })).ok;
    assert.equal(audit.total, auditBefore + 1, 'one audit entry for the change');
    assert.equal(audit.entries[0].subject, `assessment:${SAMPLE_SET}:ACM.2 @ billing`);
    await shot('04b-workload-assessment');
  });

  check('cancels accepting the strong suggestions while it ranks: nothing is accepted', async () => {
    const auditBefore = (await invoke('audit_log', { offset: 0, limit: 1 })).ok.total;
    // The hook makes the run, once it reports its ranking step, wait for the real Cancel.
    const held = await invoke('test_hold_next_job', { key: 'ranking' });
    assert.equal(held.err, undefined, `the test hook must be on: ${JSON.stringify(held.err)}`);
    await (await byTestId('suggest-all')).click();
    const bar = await byTestId('progress');
    await browser.waitUntil(async () => (await bar.getAttribute('data-key')) === 'ranking', {
      timeout: 60_000,
      timeoutMsg: 'the suggestion run never reported its ranking step',
    });
    assert.equal(await textOf('progress-stage'), 'Step 1 of 2: Ranking suggestions');
    assert.equal(await textOf('progress-count'), `0 of ${SAMPLE_ROWS} requirements · 0%`);
    await shot('04c-suggest-progress');
    await (await byTestId('cancel-job')).click();
    assert.equal(await waitText('job-cancelled', /cancelled/), 'Suggest cancelled: nothing was accepted.');
    assert.equal(await browser.$('[data-testid="progress"]').isExisting(), false, 'the progress bar is gone');
    assert.equal(await browser.$('[data-testid="suggest-message"]').isExisting(), false, 'nothing claims an acceptance');
    assert.equal((await invoke('audit_log', { offset: 0, limit: 1 })).ok.total, auditBefore, 'no audit event: nothing was written');
    await shot('04d-suggest-cancelled');
  });

  check('accepts the strong suggestions for every row as a job', async () => {
    await (await byTestId('suggest-all')).click();
    const msg = await waitText('suggest-message', /Accepted \d+/, 120_000);
    const accepted = Number(/Accepted (\d+)/.exec(msg)[1]);
    assert.ok(accepted > 0, `some suggestions score 50% or more on the Security Hub sample: ${msg}`);
    // The bar stays, finished, once the job ends; the cancel notice of the run before is gone.
    const bar = await byTestId('progress');
    assert.equal(await bar.getAttribute('data-key'), 'done');
    assert.equal(await bar.getAttribute('aria-valuenow'), '100');
    assert.equal(await browser.$('[data-testid="job-cancelled"]').isExisting(), false);
    const audit = (await invoke('audit_log', { offset: 0, limit: 1 })).ok;
    assert.ok(audit.total >= accepted, `one audit event per acceptance: ${audit.total} events, ${accepted} accepted`);
    await shot('04e-suggest-done');
  });

  check('draws coverage per CAF capability and per section', async () => {
    await (await byTestId('tab-dashboard')).click();
    await byTestId('coverage-totals');
    const summary = await invoke('coverage_summary');
    const counted = summary.ok.by_domain.flatMap((g) => Object.values(g.counts)).reduce((a, b) => a + b, 0);
    assert.equal(counted, SAMPLE_ROWS, 'every requirement is counted once in the section chart');
    // The tiles add up to the same count: the window shows what the core counted.
    const tiles = await browser.$$('[data-testid^="total-"] strong');
    let shown = 0;
    for (const t of tiles) shown += Number(await t.getText());
    assert.equal(shown, SAMPLE_ROWS, 'the coverage tiles add up to every requirement');
    // Both charts were drawn (a canvas Chart.js sized and painted).
    const drawn = await browser.execute(() => [...document.querySelectorAll('[data-testid="screen-dashboard"] canvas')].map((c) => c.width > 0 && c.height > 0));
    assert.deepEqual(drawn, [true, true]);
    await shot('05-coverage');
  });

  check('shows the landing-zone profile, what a toggle moves, and adds a workload', async () => {
    await (await byTestId('tab-profile')).click();
    await byTestId('screen-profile');
    const report = (await invoke('landing_zone_profile')).ok;
    assert.ok(report.controls.length > 100, 'the catalogue ships hundreds of landing-zone controls');
    await waitText('profile-enabled', new RegExp(`^${report.enabled} of ${report.total} controls are on\\.$`));
    assert.match(await textOf('profile-preset'), /preset|profile/i);
    await shot('06-profile');

    // A disabled control that accepted mappings reach: enabling it can move their coverage.
    const target = report.controls.find((c) => !c.enabled && c.requirements > 0);
    assert.ok(target, 'the accepted suggestions reach some control the profile leaves off');
    const coverageOf = async () => {
      const list = (await invoke('query_requirements', {
        query: { set: SAMPLE_SET, section: null, coverage: null, search: null, sort: 'source', descending: false, offset: 0, limit: 1000 },
      })).ok.requirements;
      return Object.fromEntries(list.map((r) => [r.ref, r.coverage]));
    };
    const before = await coverageOf();
    await (await byTestId('profile-filter')).setValue(target.ref);
    const box = await browser.$(`[data-testid="profile-control"][data-ref="${target.ref}"] [data-testid="profile-toggle"]`);
    await box.waitForExist({ timeout: 20_000 });
    await box.click();
    const said = await waitText('profile-change', /Enabled /);
    assert.ok(said.includes(`Enabled ${target.ref}.`), `the change names the control: ${said}`);
    await waitText('profile-enabled', new RegExp(`^${report.enabled + 1} of ${report.total}`));
    // The moves the screen lists are exactly the coverage changes of the requirements.
    const after = await coverageOf();
    const counts = {};
    for (const [ref, was] of Object.entries(before)) {
      if (after[ref] !== was) counts[`${was}>${after[ref]}`] = (counts[`${was}>${after[ref]}`] ?? 0) + 1;
    }
    const label = { inherited: 'Inherited', partial: 'Partial', workload: 'Workload', gap: 'Gap', not_applicable: 'Not applicable' };
    for (const [move, n] of Object.entries(counts)) {
      const [from, to] = move.split('>');
      assert.ok(said.includes(`${n} requirement${n === 1 ? '' : 's'} moved from ${label[from]} to ${label[to]}.`), `the screen says ${move} × ${n}: ${said}`);
    }
    if (Object.keys(counts).length === 0) assert.match(said, /No requirement changed coverage/);
    const audit = (await invoke('audit_log', { offset: 0, limit: 1 })).ok.entries[0];
    assert.equal(audit.subject, `control:${target.ref}`);
    await shot('06b-profile-toggle-moves');

    // Workloads can be added once the engagement exists.
    await (await byTestId('profile-workload-name')).setValue('analytics');
    await (await byTestId('profile-workload-add')).click();
    await waitText('workload-rows', /analytics/);
    assert.deepEqual((await invoke('engagement_summary')).ok.workloads, ['billing', 'portal', 'analytics']);
    await (await byTestId('profile-filter')).clearValue();
    await shot('06c-profile-workloads');
  });

  check('cancels an export part way: no file is written and the window says so', async () => {
    await (await byTestId('tab-export')).click();
    const path = join(work, 'harbourline-cancelled.xlsx');
    // Deterministic without timing: the test hook makes the next job, once it reports its
    // `rows` step, show that report and wait until it is cancelled. The export is real; the
    // Cancel button is the real one, pressed while the export is known to be running.
    const held = await invoke('test_hold_next_job', { key: 'rows' });
    assert.equal(held.err, undefined, `the test hook must be on: ${JSON.stringify(held.err)}`);
    await handOver(path);
    await (await byTestId('export')).click();
    const bar = await byTestId('progress');
    await browser.waitUntil(async () => (await bar.getAttribute('data-key')) === 'rows', {
      timeout: 60_000,
      timeoutMsg: 'the export never reported its rows step',
    });
    assert.equal(await textOf('progress-stage'), 'Step 2 of 5: Deriving coverage');
    assert.equal(await textOf('progress-count'), `0 of ${SAMPLE_ROWS} rows · 20%`);
    assert.equal(await bar.getAttribute('aria-valuenow'), '20');
    assert.equal(await (await byTestId('export')).isEnabled(), false, 'no second export while one runs');
    await shot('07-a-export-progress');
    await (await byTestId('cancel-job')).click();
    assert.equal(await waitText('job-cancelled', /cancelled/), 'Export cancelled: no file was written.');
    assert.equal(existsSync(path), false, 'a cancelled export writes no file');
    const left = readdirSync(work).filter((n) => n.includes('harbourline-cancelled'));
    assert.deepEqual(left, [], 'and leaves no temporary file behind');
    assert.equal(await browser.$('[data-testid="progress"]').isExisting(), false, 'the progress bar is gone');
    assert.equal(await browser.$('[data-testid="export-result"]').isExisting(), false, 'nothing claims a file was written');
    assert.equal(await (await byTestId('export')).isEnabled(), true, 'the next export can start');
    await shot('07-b-export-cancelled');
  });

  check('exports the matrix and the xlsx reads back with the accepted mapping', async () => {
    assert.ok(acceptedByKeyboard, 'the keyboard test accepted a target for ACM.1');
    await (await byTestId('tab-export')).click();
    const path = join(work, 'harbourline-matrix.xlsx');
    await handOver(path);
    await (await byTestId('export')).click();
    const said = await waitText('export-result', /Wrote \d+ requirement rows/, 120_000);
    // The progress stays on screen, finished: Done at 100%, no Cancel button, no cancel message.
    const bar = await byTestId('progress');
    assert.equal(await bar.getAttribute('data-finished'), 'true');
    assert.equal(await textOf('progress-stage'), 'Done');
    assert.equal(await textOf('progress-count'), '100%');
    assert.equal(await bar.getAttribute('aria-valuenow'), '100');
    assert.equal(await browser.$('[data-testid="cancel-job"]').isExisting(), false);
    assert.equal(await browser.$('[data-testid="job-cancelled"]').isExisting(), false, 'the earlier cancel message is cleared');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(readFileSync(path));
    const names = book.worksheets.map((w) => w.name);
    for (const sheet of ['Matrix', 'Coverage', 'Gaps', 'Links', 'About']) {
      assert.ok(names.includes(sheet), `the workbook has a ${sheet} sheet: ${names.join(', ')}`);
    }
    const table = (name) => {
      const ws = book.getWorksheet(name);
      const header = ws.getRow(1).values.map((v) => String(v ?? ''));
      const rows = [];
      ws.eachRow((row, n) => {
        if (n === 1) return;
        const r = {};
        header.forEach((h, i) => {
          if (h) r[h] = row.getCell(i).text;
        });
        rows.push(r);
      });
      return rows;
    };
    const matrix = table('Matrix');
    assert.equal(new Set(matrix.map((r) => r['Req ID'])).size, SAMPLE_ROWS, 'one requirement per imported control');
    assert.match(said, new RegExp(`Wrote ${matrix.length} requirement rows`), 'the window reports the rows written');
    const acm1 = matrix.filter((r) => r['Req ID'] === 'ACM.1');
    assert.ok(acm1.length >= 1, 'ACM.1 is in the matrix');
    assert.equal(acm1[0].Set, SAMPLE_SET);
    assert.equal(acm1[0].Title, 'Imported and ACM-issued certificates should be renewed after a specified time period');
    assert.notEqual(acm1[0].Coverage.toLowerCase(), 'gap', `ACM.1 was mapped, so its coverage is not a gap: ${acm1[0].Coverage}`);
    // The target accepted with `a` is on the ACM.1 row and on the long-form Links sheet.
    const targetRef = acceptedByKeyboard.slice(acceptedByKeyboard.indexOf(':') + 1);
    const mappedColumns = ['AWS services', 'Inherited LZ controls', 'Workload controls', 'Framework controls', 'CAF capability', 'CAF epic'];
    assert.ok(
      mappedColumns.some((c) => acm1[0][c].includes(targetRef)),
      `${acceptedByKeyboard} shows on the ACM.1 row: ${mappedColumns.map((c) => `${c}=${JSON.stringify(acm1[0][c])}`).join(' ')}`,
    );
    const links = table('Links').filter((r) => r['Req ID'] === 'ACM.1');
    const link = links.find((r) => r.Target === acceptedByKeyboard);
    assert.ok(link, `the Links sheet holds ACM.1 → ${acceptedByKeyboard}: ${links.map((r) => r.Target).join(', ')}`);
    assert.equal(link.Status, 'accepted');
    const about = book.getWorksheet('About');
    let customer = null;
    about.eachRow((row) => row.eachCell((c) => c.text === 'Harbourline Logistics' && (customer = c.text)));
    assert.equal(customer, 'Harbourline Logistics', 'the About sheet names the engagement');
    // The audit view lists the whole chained log, newest first.
    const entries = (await invoke('engagement_summary')).ok.audit_entries;
    await waitText('audit-total', new RegExp(`^\\(${entries} entries, hash-chained\\)$`));
    assert.equal(await contentOf('[data-testid="audit"] tbody tr td'), String(entries), 'the newest entry comes first');
    await shot('07-export-audit');
    exportedMatrix = path;
  });

  check('merges an owner the customer typed into the exported matrix', async () => {
    assert.ok(exportedMatrix, 'the export test wrote a matrix');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(readFileSync(exportedMatrix));
    const ws = book.getWorksheet('Matrix');
    const header = ws.getRow(1).values.map((v) => String(v ?? ''));
    const refCol = header.indexOf('Req ID');
    const ownerCol = header.indexOf('Owner');
    let edited = 0;
    ws.eachRow((row, n) => {
      if (n > 1 && row.getCell(refCol).text === 'ACM.2') {
        row.getCell(ownerCol).value = 'Dana Whitfield';
        edited++;
      }
    });
    assert.ok(edited >= 1, 'ACM.2 has a row to edit');
    const editedPath = join(work, 'harbourline-matrix-edited.xlsx');
    writeFileSync(editedPath, Buffer.from(await book.xlsx.writeBuffer()));
    await handOver(editedPath);
    await (await byTestId('import-matrix')).click();
    const said = await waitText('merge-result', /Merged the edits of \d+ row/, 120_000);
    assert.match(said, new RegExp(`Merged the edits of ${edited} row`), said);
    // The matrix has a row per workload, so each workload's assessment of ACM.2 took the owner,
    // each with its audit entry.
    const audit = (await invoke('audit_log', { offset: 0, limit: 50 })).ok.entries;
    const merged = audit.filter((e) => JSON.stringify(e.after ?? null).includes('Dana Whitfield'));
    assert.equal(merged.length, edited, `one audit entry per merged row: ${JSON.stringify(merged.map((e) => e.subject))}`);
    for (const e of merged) assert.match(e.subject, /ACM\.2/, e.subject);
    await shot('07b-matrix-merged');
  });

  check('refuses to merge a matrix whose rows no longer match their keys, and lists why as text', async () => {
    assert.ok(exportedMatrix, 'the export test wrote a matrix');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(readFileSync(exportedMatrix));
    const ws = book.getWorksheet('Matrix');
    const header = ws.getRow(1).values.map((v) => String(v ?? ''));
    const refCol = header.indexOf('Req ID');
    const ownerCol = header.indexOf('Owner');
    let changedRow = null;
    ws.eachRow((row, n) => {
      if (changedRow === null && n > 1 && row.getCell(refCol).text === 'ACM.3') {
        // Someone sorted one column only, or typed over the id: the row now claims another id.
        row.getCell(refCol).value = '<b>ACM.33</b>';
        row.getCell(ownerCol).value = 'Someone';
        changedRow = n;
      }
    });
    assert.ok(changedRow, 'ACM.3 has a row');
    const broken = join(work, 'harbourline-matrix-resorted.xlsx');
    writeFileSync(broken, Buffer.from(await book.xlsx.writeBuffer()));
    const before = (await invoke('engagement_summary')).ok.audit_entries;
    await handOver(broken);
    await (await byTestId('import-matrix')).click();
    await byTestId('merge-refused', 120_000);
    const lines = await browser.execute(() => [...document.querySelectorAll('[data-testid="merge-refusal"]')].map((e) => e.textContent));
    const line = lines.find((l) => l.startsWith(`Row ${changedRow}, column 'Req ID'`));
    assert.ok(line, `a line names row ${changedRow} and the Req ID column: ${JSON.stringify(lines)}`);
    assert.ok(line.includes('was "ACM.3", now "<b>ACM.33</b>"'), `it says what changed: ${line}`);
    assert.equal(await browser.execute(() => document.querySelectorAll('[data-testid="merge-refused"] b').length), 0, 'the cell is shown as text');
    assert.equal((await invoke('engagement_summary')).ok.audit_entries, before, 'nothing was merged');
    assert.equal(await browser.$('[data-testid="merge-result"]').isExisting(), false, 'no merge result is claimed');
    await shot('07c-merge-refused');
  });

  check('refuses a broken spreadsheet, shows why, and imports nothing', async () => {
    const bad = join(work, 'broken-requirements.xlsx');
    // A zip signature and nothing else: what a truncated download or a renamed file looks like.
    writeFileSync(bad, Buffer.from('PK\u0003\u0004 this is not a complete workbook'));
    await (await byTestId('tab-requirements')).click();
    const rowsBefore = await waitText('row-count', /^\d+ rows/);
    const before = (await invoke('engagement_summary')).ok;
    await (await byTestId('tab-import')).click();
    await handOver(bad);
    await (await byTestId('import-pick')).click();
    await waitText('import-path', /broken-requirements\.xlsx$/);
    const message = await textOf('error-message');
    assert.match(message, /broken-requirements\.xlsx/, `the error names the file: ${message}`);
    assert.equal(await browser.$('[data-testid="import-commit"]').isExisting(), false, 'no import is offered');
    await shot('08-bad-file');
    const afterwards = (await invoke('engagement_summary')).ok;
    assert.deepEqual(afterwards.sets, before.sets, 'the requirement sets are unchanged');
    assert.equal(afterwards.audit_entries, before.audit_entries, 'nothing was written to the engagement');
    await (await byTestId('tab-requirements')).click();
    assert.equal(await waitText('row-count', /^\d+ rows/), rowsBefore, 'the grid shows as many rows as before');
    assert.equal(rowsBefore, `${SAMPLE_ROWS} rows`);
  });

  check('shows imported text as text, never as HTML, under a CSP that blocks inline scripts', async () => {
    const hostile = join(work, 'hostile-cells.csv');
    const title = '<img src=x onerror="window.__crosswalkInjected=1">';
    const text = '<script>window.__crosswalkInjected=2</script><b>bold</b> & <svg onload="window.__crosswalkInjected=3"></svg>';
    const csv = (v) => `"${v.replaceAll('"', '""')}"`;
    writeFileSync(hostile, ['ID,Title,Requirement', `XSS-1,${csv(title)},${csv(text)}`, 'XSS-2,Plain title,Encrypt data at rest.'].join('\r\n'));
    await (await byTestId('tab-import')).click();
    await handOver(hostile);
    await (await byTestId('import-pick')).click();
    assert.equal(await waitText('dry-requirements', /^\d+$/), '2');
    await (await byTestId('import-commit')).click();
    await waitText('import-result', /2 added/);

    await (await byTestId('tab-requirements')).click();
    await chooseSet('hostile-cells');
    await waitText('row-count', /^2 rows/);
    await waitText('panel-ref', /^hostile-cells:XSS-1$/);
    await browser.waitUntil(async () => (await gridRow(1))?.[0] === 'XSS-1', { timeout: 20_000 });
    const cells = await gridRow(1);
    assert.equal(cells[1], title, 'the grid shows the title cell as typed, markup and all');
    assert.equal(cells[2], text, 'and the text cell');
    assert.equal(await contentOf('[data-testid="panel-text"]'), text, 'the panel shows the requirement text character for character');
    const injected = await browser.execute(() => ({
      elements: document.querySelectorAll('main img, main script, main svg, main b').length,
      flag: window.__crosswalkInjected ?? null,
    }));
    assert.deepEqual(injected, { elements: 0, flag: null }, 'no element was made from the cells and nothing ran');
    await shot('12-hostile-text');

    // The policy itself, in this engine: markup put into the page by other means still cannot
    // run an inline handler, and the engine reports the violated directive.
    const probe = await browser.executeAsync((done) => {
      const violations = [];
      let errored = false;
      // Answers once the image failed and the engine reported the blocked handler; the driver's
      // script timeout fails the test if that never happens.
      const settle = () => {
        if (errored && violations.some((d) => d.startsWith('script-src'))) {
          done({ ran: window.__crosswalkCspProbe ?? null, violations });
        }
      };
      document.addEventListener('securitypolicyviolation', (e) => {
        violations.push(e.effectiveDirective);
        settle();
      });
      const holder = document.createElement('div');
      holder.dataset.probe = 'csp';
      // An image that cannot load (a data: URL, which img-src refuses), with an inline handler.
      holder.innerHTML = '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" onerror="window.__crosswalkCspProbe=1">';
      holder.firstChild.addEventListener('error', () => {
        errored = true;
        settle();
      });
      document.body.append(holder);
    });
    assert.equal(probe.ran, null, 'the inline onerror handler did not run');
    assert.ok(probe.violations.includes('img-src'), `the data: image was refused by img-src: ${probe.violations}`);
    assert.ok(probe.violations.some((d) => d.startsWith('script-src')), `a script-src violation was reported: ${probe.violations}`);
    await browser.execute(() => document.querySelector('[data-probe="csp"]')?.remove());
    await (await byTestId('filter-set')).selectByAttribute('value', '');
  });

  check('tracks the workplan: 7 tasks, 38 subtasks, progress after a status change', async () => {
    await (await byTestId('tab-workplan')).click();
    await byTestId('screen-workplan');
    await browser.waitUntil(async () => (await browser.$$('[data-testid="workplan-subtask"]')).length > 0, { timeout: 20_000 });
    assert.equal((await browser.$$('[data-testid="workplan-task"]')).length, 7, 'seven tasks');
    assert.equal((await browser.$$('[data-testid="workplan-subtask"]')).length, 38, '38 subtasks');
    const t1 = (await invoke('workplan_list')).ok.tasks.find((t) => t.ref === 'T1');
    const n = t1.subtasks.length;
    assert.equal(await textOf('task-progress-T1'), `0/${n} done`);
    // The status picked in the row is stored at once; the task's progress follows.
    await (await byTestId('status-T1.S1')).selectByAttribute('value', 'done');
    await waitText('task-progress-T1', new RegExp(`^1/${n} done$`));
    await (await byTestId('status-T2.S1')).selectByAttribute('value', 'in_progress');
    await waitText('workplan-totals', /^7 tasks · 38 subtasks · 1\/38 done$/);
    const stored = (await invoke('workplan_list')).ok;
    const s1 = stored.tasks[0].subtasks.find((s) => s.ref === 'T1.S1');
    assert.equal(s1.status, 'done', 'the status is in the engagement file');
    assert.equal(n, 1, 'T1 (the Well-Architected review) has one subtask');
    assert.equal(stored.tasks[0].status, 'done', 'a task whose subtasks are all done is done');
    assert.equal(stored.tasks[1].status, 'in_progress', 'a task with a subtask in progress is in progress');
    assert.deepEqual(stored.progress, { not_started: 36, in_progress: 1, done: 1, not_applicable: 0 });

    // A policy subtask: owner, due date, the decision and a control that enforces it.
    await (await byTestId('open-T3.S3')).click();
    await (await byTestId('wp-owner')).setValue('Priya Raman');
    await (await byTestId('wp-due')).setValue('2026-03-31');
    await (await byTestId('wp-decision')).setValue('The root user is used only for the tasks that require it; its credentials sit in the break-glass safe.');
    await (await byTestId('wp-save')).click();
    await waitText('workplan-message', /T3\.S3 saved/);
    const t3s3 = (await invoke('workplan_list')).ok.tasks.find((t) => t.ref === 'T3').subtasks.find((s) => s.ref === 'T3.S3');
    assert.equal(t3s3.owner, 'Priya Raman');
    assert.equal(t3s3.due, '2026-03-31');
    assert.match(t3s3.decision, /break-glass safe/);
    assert.ok(t3s3.policy, 'T3.S3 (root account usage) sets a policy');
    const audit = (await invoke('audit_log', { offset: 0, limit: 20 })).ok.entries;
    assert.ok(audit.some((e) => /workplan/i.test(`${e.action} ${e.subject}`) && /T3\.S3/.test(`${e.subject} ${JSON.stringify(e.after)}`)),
      'the change is in the audit log');
    await shot('10-workplan');

    // The changes are in the engagement file: close it, open it again from the recent list,
    // and the workplan view reads them back.
    await (await byTestId('close-engagement')).click();
    await byTestId('screen-start');
    // The recent list is the shell's file, not the page's storage: wiping the page's storage
    // and reloading the page keeps it.
    const config = process.env.XDG_CONFIG_HOME;
    if (config) {
      const stored = JSON.parse(readFileSync(join(config, 'dev.crosswalk.desktop', 'recent-engagements.json'), 'utf8'));
      assert.equal(stored[0].customer, 'Harbourline Logistics');
      assert.equal(stored[0].path, join(work, 'harbourline.crosswalk'));
    }
    await browser.execute(() => {
      localStorage.clear();
      sessionStorage.clear();
      location.reload();
    });
    await byTestId('screen-start');
    await shot('01c-start-recent');
    const recent = await byTestId('recent-open');
    assert.equal(await recent.getText(), 'Harbourline Logistics', 'the engagement is first in the recent list');
    await recent.click();
    await waitText('customer-name', /^Harbourline Logistics$/);
    await (await byTestId('tab-workplan')).click();
    await waitText('workplan-totals', /^7 tasks · 38 subtasks · 1\/38 done$/);
    assert.equal(await textOf('task-progress-T1'), `1/${n} done`);
    assert.equal(await (await byTestId('status-T1.S1')).getValue(), 'done', 'T1.S1 is still done after reopening');
    assert.equal(await (await byTestId('status-T2.S1')).getValue(), 'in_progress');
    await (await byTestId('open-T3.S3')).click();
    assert.equal(await (await byTestId('wp-owner')).getValue(), 'Priya Raman');
    assert.match(await (await byTestId('wp-decision')).getValue(), /break-glass safe/);
  });

  check('assesses readiness per domain: states, gap, a story, and the report reads back', async () => {
    await (await byTestId('tab-readiness')).click();
    await byTestId('screen-readiness');
    const domains = ['data_protection', 'iam', 'incident_response', 'infrastructure_protection', 'logging_monitoring'];
    for (const d of domains) await byTestId(`domain-${d}`);
    assert.equal((await browser.$$('[data-testid^="domain-"]')).length, 5, 'five security domains, no more');
    const listed = (await invoke('readiness_list')).ok.domains;
    assert.deepEqual(listed.map((d) => d.domain), domains);
    for (const d of listed) {
      const label = await textOf(`domain-${d.domain}`);
      assert.ok(label.startsWith(d.name), `the ${d.domain} button is labelled ${d.name}: ${label}`);
      assert.match(label, new RegExp(`${d.task} · \\d+/\\d+ done`), `it shows its workplan task's progress: ${label}`);
    }
    await (await byTestId('domain-iam')).click();
    await waitText('readiness-domain', /^IAM$/);
    await waitText('readiness-progress', /T3: 0\/\d+ done/);
    await (await byTestId('current-tools')).setValue('Long-lived IAM users with access keys in every account');
    await (await byTestId('target-tools')).setValue('IAM Identity Center with one identity source');
    await (await byTestId('gap-tools')).setValue('No single sign-on; access keys not rotated');
    await (await byTestId('save-tools')).click();
    await waitText('readiness-message', /IAM · Tools saved/);
    await waitText('readiness-gaps', /No single sign-on/);
    await (await byTestId('story-title')).setValue('Move workforce access to IAM Identity Center');
    await (await byTestId('story-dimension')).selectByAttribute('value', 'tools');
    await (await byTestId('story-priority')).selectByAttribute('value', 'high');
    // Two lines, typed with the Enter key between them (WebDriver's key code for Enter).
    await (await byTestId('story-criteria')).setValue('Every human user signs in through Identity Center\uE007No IAM user has an access key older than 90 days');
    await (await byTestId('story-save')).click();
    await waitText('readiness-stories', /Move workforce access to IAM Identity Center/);
    const iam = (await invoke('readiness_list')).ok.domains.find((d) => d.domain === 'iam');
    const tools = iam.dimensions.find((d) => d.dimension === 'tools');
    assert.equal(tools.gap, 'No single sign-on; access keys not rotated');
    assert.equal(iam.stories.length, 1);
    assert.deepEqual(iam.stories[0].acceptance_criteria, [
      'Every human user signs in through Identity Center',
      'No IAM user has an access key older than 90 days',
    ]);
    assert.equal(iam.stories[0].priority, 'high');
    await shot('11-readiness');

    const report = join(work, 'harbourline-readiness.xlsx');
    await handOver(report);
    await (await byTestId('export-readiness')).click();
    await waitText('workstream-result', /Wrote \d+ stories/, 120_000);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(readFileSync(report));
    const names = book.worksheets.map((w) => w.name);
    assert.equal(names.length, 8, `workplan, five domains, backlog, about: ${names.join(', ')}`);
    const cells = (ws) => {
      const all = [];
      ws.eachRow((row) => row.eachCell((c) => all.push(String(c.text ?? c.value ?? ''))));
      return all;
    };
    const everything = book.worksheets.flatMap(cells).join('\n');
    assert.match(everything, /No single sign-on; access keys not rotated/, 'the gap is in the report');
    assert.match(everything, /Move workforce access to IAM Identity Center/, 'the story is in the report');
    const plan = cells(book.worksheets[0]);
    assert.ok(plan.includes('T3.S3') && plan.includes('Priya Raman'), 'the workplan sheet carries the subtask and its owner');
  });

  check('pages a 100,000-row engagement and jumps to row 90,000 with a bounded DOM', async () => {
    const big = join(work, 'big-requirements.csv');
    const lines = ['ID,Title,Requirement,Domain'];
    const domains = ['Identity', 'Data protection', 'Logging', 'Network', 'Incident response'];
    for (let i = 1; i <= 100_000; i++) {
      const d = domains[i % domains.length];
      lines.push(`BIG-${i},Control ${i} for ${d},"The workload must keep ${d.toLowerCase()} evidence number ${i} encrypted, logged and reviewed.",${d}`);
    }
    writeFileSync(big, lines.join('\n'));
    await (await byTestId('tab-import')).click();
    await handOver(big);
    await (await byTestId('import-pick')).click();
    let t1 = performance.now();
    await waitText('dry-requirements', /^100000$/, 300_000);
    figure('dry run of a 100,000-row CSV (preview)', performance.now() - t1);
    t1 = performance.now();
    await (await byTestId('import-commit')).click();
    await waitText('import-result', /100000 added/, 300_000);
    figure('import of a 100,000-row CSV (check + store)', performance.now() - t1);

    await (await byTestId('tab-requirements')).click();
    let t0 = performance.now();
    await chooseSet('big-requirements');
    await waitText('row-count', /^100000 rows/, 60_000);
    await browser.waitUntil(async () => (await gridRow(1))?.[0] === 'BIG-1', { timeout: 60_000 });
    figure('grid shows the first rows of a 100,000-row set', performance.now() - t0);
    await waitText('panel-ref', /BIG-1$/, 60_000);
    const rendered = async () => (await browser.$$('[data-testid="grid-body"] [role="row"]')).length;
    const height = await browser.execute(() => document.querySelector('[data-testid="grid-body"]').clientHeight);
    // Windowing: the rows in view plus 15 above and below, never the 100,000 (28 px rows).
    const bound = Math.ceil(height / 28) + 1 + 2 * 15;
    assert.ok((await rendered()) <= bound, `at most ${bound} rows in the DOM at the top, not ${await rendered()}`);

    // Type the row number and press Enter, as a user does.
    await (await byTestId('jump')).setValue('90000');
    assert.equal(await (await byTestId('jump')).getValue(), '90000');
    t0 = performance.now();
    await browser.keys('Enter');
    await browser.waitUntil(async () => browser.$('[aria-rowindex="90000"] [role="gridcell"]').isExisting(), {
      timeout: 60_000,
      timeoutMsg: 'row 90,000 never rendered',
    });
    figure('jump to row 90,000 until its cells show', performance.now() - t0);
    // The SQL page alone, through the shell, in the orders and filters the grid offers.
    const pages = [
      ['in source order', { sort: 'source', coverage: null }],
      ['sorted by title, descending', { sort: 'title', descending: true, coverage: null }],
      ['sorted by coverage', { sort: 'coverage', coverage: null }],
      ['filtered to gaps', { sort: 'source', coverage: 'gap' }],
    ];
    for (const [label, q] of pages) {
      t0 = performance.now();
      const page = await invoke('query_requirements', {
        query: { set: 'big-requirements', section: null, search: null, descending: false, offset: 90_000, limit: 200, ...q },
      });
      figure(`one 200-row page at offset 90,000 ${label} (query_requirements round trip)`, performance.now() - t0);
      assert.equal(page.err, undefined, JSON.stringify(page.err));
      assert.equal(page.ok.total, 100_000, `${label}: nothing is mapped in the big set, so every row is a gap`);
      assert.equal(page.ok.requirements.length, 200);
    }
    await waitText('panel-ref', /BIG-90000$/, 60_000);
    const row = await gridRow(90_000);
    assert.equal(row[0], 'BIG-90000', 'row 90,000 holds the 90,000th requirement, read from its SQL page');
    assert.equal(row[1], 'Control 90000 for Identity');
    assert.ok((await rendered()) <= bound, `still at most ${bound} rows in the DOM at row 90,000`);
    const spacer = await browser.execute(() => document.querySelector('[data-testid="grid-body"] > div').getBoundingClientRect().height);
    assert.equal(Math.round(spacer), 100_000 * 28, 'the scroll space is the full set, so the scrollbar is true');
    await shot('09-grid-100k-row-90000');
  });

  check('imports the Security Hub sample again with Remediation chosen as the text column', async () => {
    await (await byTestId('tab-import')).click();
    await handOver(sample);
    await (await byTestId('import-pick')).click();
    await waitText('import-path', /aws-securityhub-controls-export-sample\.csv$/);
    await waitText('dry-requirements', new RegExp(`^${SAMPLE_ROWS}$`), 60_000);
    const roleOf = (header) => browser.$(`[data-testid="import-column"][data-header="${header}"] select`);
    // As detected: Description holds the text, Remediation is kept as an attribute.
    assert.equal(await (await roleOf('Description')).getValue(), 'text');
    assert.notEqual(await (await roleOf('Remediation')).getValue(), 'text');
    const previewText = (ref) => contentOf(`[data-testid="preview-row"][data-ref="${ref}"] td.text`);
    assert.match(await previewText('ACM.1'), /^This control checks whether an AWS Certificate Manager/);

    // Choose Remediation as the text: Description gives the role up, and the dry run must run
    // again before anything can be imported.
    await (await roleOf('Remediation')).selectByAttribute('value', 'text');
    assert.equal(await (await roleOf('Description')).getValue(), 'attribute', 'a requirement has one text column');
    await byTestId('import-stale');
    assert.equal(await (await byTestId('import-commit')).isEnabled(), false, 'no import on a stale dry run');
    await (await byTestId('import-set')).setValue('sechub-remediation');
    await (await byTestId('import-rerun')).click();
    await browser.waitUntil(async () => /^ACM provides managed renewal/.test((await previewText('ACM.1')) ?? ''), {
      timeout: 60_000,
      timeoutMsg: 'the dry run with Remediation as text never showed it in the preview',
    });
    assert.equal(await browser.$('[data-testid="import-stale"]').isExisting(), false);
    assert.equal(await textOf('dry-added'), String(SAMPLE_ROWS), 'a new set: every control is added');
    assert.equal(await (await roleOf('Remediation')).getValue(), 'text', 'the dry run used the choice');
    await (await byTestId('import-preview')).scrollIntoView();
    await shot('13-import-roles');

    // Cancel the import while it stores rows (held by the test hook at its storing step):
    // nothing is stored.
    const held = await invoke('test_hold_next_job', { key: 'storing' });
    assert.equal(held.err, undefined, JSON.stringify(held.err));
    await (await byTestId('import-commit')).click();
    const bar = await byTestId('progress');
    await browser.waitUntil(async () => (await bar.getAttribute('data-key')) === 'storing', {
      timeout: 60_000,
      timeoutMsg: 'the import never reported its storing step',
    });
    assert.equal(await textOf('progress-stage'), 'Step 2 of 3: Storing requirements');
    assert.equal(await textOf('progress-count'), `0 of ${SAMPLE_ROWS} rows · 33%`);
    await shot('13b-import-progress');
    await (await byTestId('cancel-job')).click();
    assert.equal(await waitText('job-cancelled', /cancelled/), 'Import cancelled: nothing was stored.');
    assert.ok(!(await invoke('engagement_summary')).ok.sets.some((s) => s.name === 'sechub-remediation'), 'no set was stored');

    // Import for real, then the grid shows the Remediation text as each requirement's text.
    await (await byTestId('import-commit')).click();
    assert.match(await waitText('import-result', /Imported/, 120_000), new RegExp(`${SAMPLE_ROWS} added`));
    assert.equal(await browser.$('[data-testid="job-cancelled"]').isExisting(), false);
    await (await byTestId('tab-requirements')).click();
    await chooseSet('sechub-remediation');
    await waitText('row-count', new RegExp(`^${SAMPLE_ROWS} rows`), 60_000);
    await browser.waitUntil(async () => (await gridRow(1))?.[0] === 'ACM.1', { timeout: 30_000, timeoutMsg: 'ACM.1 never showed first' });
    const [ref, title, text, section] = await gridRow(1);
    assert.equal(ref, 'ACM.1');
    assert.equal(title, 'Imported and ACM-issued certificates should be renewed after a specified time period');
    assert.match(text, /^ACM provides managed renewal for your SSL\/TLS certificates issued by Amazon/);
    assert.equal(section, 'Protect > Data Protection > Encryption of data-in-transit');
    await shot('13c-grid-remediation-text');
  });
});
