// End-to-end scenarios of the beltwatch dashboard in Debian's headless Chromium, driven by
// playwright-core. Run by `crates/beltwatch/tests/dashboard.rs`, which prepares the stores,
// starts the server and passes everything through the environment:
//
//   BW_SCENARIO      main (the analyst's and the partner's walk through) or load (50k events)
//   BW_BASE_URL      the server, such as http://127.0.0.1:40123
//   BW_SCREENSHOTS   folder for the screenshots
//   BW_CHROMIUM      the browser (default /usr/bin/chromium)
//   main:  BW_ANALYST_TOKEN, BW_PARTNER_TOKEN, BW_RESTRICTED_EVENT, BW_RESTRICTED_WORD,
//          BW_BIN and BW_DB (to ingest reports while the page is open), BW_LIVE_REPORTS
//          (JSON array of report files whose incident raises an alert)
//   load:  BW_TOKEN
//
// Progress goes to standard error; the result is one JSON object on the last line of
// standard output. The exit status is 0 only when every step passed.

import { execFile } from "node:child_process";
import { mkdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

const env = process.env;
const scenario = env.BW_SCENARIO || "main";
const base = (env.BW_BASE_URL || "").replace(/\/$/, "");
const shots = env.BW_SCREENSHOTS || "target/dashboard";
const executablePath = env.BW_CHROMIUM || "/usr/bin/chromium";
const steps = [];
const screenshots = [];
const metrics = {};
const pageErrors = [];

function log(message) {
  process.stderr.write(`[e2e ${scenario}] ${message}\n`);
}

function finish(ok, error) {
  const result = { scenario, ok, steps, screenshots, metrics, pageErrors };
  if (error) result.error = error;
  process.stdout.write(JSON.stringify(result) + "\n");
  process.exit(ok ? 0 : 1);
}

function need(name) {
  if (!env[name]) finish(false, `${name} is not set`);
  return env[name];
}

let chromium;
try {
  ({ chromium } = await import("playwright-core"));
} catch (e) {
  finish(false, `playwright-core is not installed (run: npm ci --prefix tests/dashboard): ${e.message}`);
}
if (!existsSync(executablePath)) finish(false, `${executablePath} is missing (run: apt-get install -y chromium)`);
if (!base) finish(false, "BW_BASE_URL is not set");
mkdirSync(shots, { recursive: true });

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

async function step(name, body) {
  const started = Date.now();
  log(`${name}…`);
  await body();
  const ms = Date.now() - started;
  steps.push({ name, ms });
  log(`${name}: ok (${ms} ms)`);
}

async function screenshot(page, name) {
  const path = join(shots, `${name}.png`);
  await page.screenshot({ path });
  screenshots.push(path);
}

async function newPage(browser, viewport) {
  const context = await browser.newContext({ viewport: viewport || { width: 1366, height: 768 }, locale: "en-GB" });
  const page = await context.newPage();
  page.setDefaultTimeout(30000);
  page.on("pageerror", (e) => pageErrors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error" && !/Failed to load resource/.test(m.text())) pageErrors.push(m.text());
  });
  return { context, page };
}

async function signIn(page, token) {
  await page.goto(base + "/");
  await page.getByTestId("signin-token").fill(token);
  await page.getByTestId("signin-submit").click();
  await page.getByTestId("whoami").filter({ hasText: /\S/ }).waitFor();
}

const dataset = (page) => page.evaluate(() => Object.assign({}, document.body.dataset));

async function mapSettled(page) {
  await page.waitForFunction(() => document.body.dataset.mapReady && document.body.dataset.mapBusy === "0", null, {
    timeout: 180000,
  });
}

/** What the server says, asked directly with a token. */
async function apiGet(path, token) {
  const response = await fetch(base + path, { headers: { Authorization: "Bearer " + token } });
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.json();
}

/** The substring of `text` between UTF-8 byte offsets. */
function byteSlice(text, start, end) {
  return Buffer.from(text, "utf8").subarray(start, end).toString("utf8");
}

async function main(browser) {
  const analyst = need("BW_ANALYST_TOKEN");
  const partner = need("BW_PARTNER_TOKEN");
  const restricted = need("BW_RESTRICTED_EVENT");
  const word = need("BW_RESTRICTED_WORD");
  const monthWord = need("BW_MONTH_WORD");
  const { page } = await newPage(browser);
  let analystTotal = 0;

  await step("a wrong token is refused with a message", async () => {
    await page.goto(base + "/");
    await page.getByTestId("signin").waitFor();
    await page.getByTestId("signin-token").fill("bwt_not_a_real_token");
    await page.getByTestId("signin-submit").click();
    await page.getByTestId("signin-error").filter({ hasText: /not accepted/ }).waitFor();
    await screenshot(page, "01-signin");
  });

  await step("sign in", async () => {
    await page.getByTestId("signin-token").fill(analyst);
    await page.getByTestId("signin-submit").click();
    await page.getByTestId("whoami").filter({ hasText: "analyst" }).waitFor();
  });

  await step("the sectors of the Afghan-Tajik border are coloured by level", async () => {
    await mapSettled(page);
    const sectors = await page.evaluate(() =>
      [...document.querySelectorAll('path[data-testid="sector"][data-border="AF-TJ"]')].map((p) => ({
        id: p.dataset.sector,
        level: p.dataset.level,
        fill: p.getAttribute("fill"),
      })),
    );
    assert(sectors.length >= 40, `only ${sectors.length} AF-TJ sectors on the map`);
    const levels = { low: "#f2d74e", medium: "#f39c34", high: "#c43d12", critical: "#8e1010" };
    const expected = await apiGet("/api/v1/sectors?border=AF-TJ", analyst);
    let coloured = 0;
    for (const s of expected.sectors) {
      const drawn = sectors.find((x) => x.id === s.id);
      assert(drawn, `sector ${s.id} is not drawn`);
      assert(drawn.level === s.level, `sector ${s.id} drawn as ${drawn.level}, the server says ${s.level}`);
      if (s.score > 0) {
        assert(drawn.fill === levels[s.level], `sector ${s.id} (${s.level}) is filled ${drawn.fill}`);
        coloured++;
      }
    }
    assert(coloured > 0, "no AF-TJ sector has a level colour");
    const d = await dataset(page);
    analystTotal = Number(d.eventsTotal);
    assert(analystTotal > 0, "no events on the map");
    metrics.mainMapReadyMs = Number(d.mapReady);
    await page.getByTestId("legend").waitFor();
    await screenshot(page, "02-map");
  });

  await step("filter by category, kept in the URL", async () => {
    const all = await apiGet("/api/v1/export/events", analyst);
    const drugs = all.features.filter((f) => f.properties.category === "drug_trafficking").length;
    assert(drugs > 0, "no drug trafficking events to filter");
    await page.getByTestId("filter-category-drug_trafficking").check();
    await page.waitForFunction((n) => document.body.dataset.eventsShown === String(n) && document.body.dataset.mapBusy === "0", drugs);
    assert(page.url().includes("category=drug_trafficking"), `the URL does not carry the filter: ${page.url()}`);
    await page.getByTestId("map-count").filter({ hasText: `${drugs} of ${all.features.length}` }).waitFor();
    // A shared link restores the view.
    await page.reload();
    await mapSettled(page);
    assert(await page.getByTestId("filter-category-drug_trafficking").isChecked(), "the filter is lost on reload");
    assert((await dataset(page)).eventsShown === String(drugs), "the reloaded view shows other events");
    await screenshot(page, "03-filtered");
  });

  await step("empty and failed views say so", async () => {
    await page.getByTestId("filter-since").fill("1990-01-01");
    await page.getByTestId("filter-until").fill("1990-01-31");
    await page.getByTestId("filter-until").dispatchEvent("change");
    await page.getByTestId("map-status").filter({ hasText: "No events match these filters." }).waitFor();
    await page.getByTestId("timeline-empty").waitFor();
    // An actor the server refuses: its answer is shown, and nothing is on the map.
    await page.getByTestId("filter-actor").fill("not an actor!");
    await page.getByTestId("filter-actor").press("Enter");
    await page.getByTestId("map-status").filter({ hasText: "query.actor" }).waitFor();
    await page.getByTestId("filter-actor").fill("");
    await page.getByTestId("filter-actor").press("Enter");
    await page.getByTestId("filter-reset").click();
    await page.waitForFunction((n) => document.body.dataset.eventsShown === String(n) && document.body.dataset.mapBusy === "0", analystTotal);
    assert(!page.url().includes("category="), "reset left the category in the URL");
    assert(await page.getByTestId("map-status").isHidden(), "a message stays on the map after the reset");
  });

  await step("open an event and see its report with the evidence highlighted", async () => {
    const event = await apiGet(`/api/v1/events/${restricted}`, analyst);
    const doc = await apiGet(`/api/v1/documents/${event.documents[0]}`, analyst);
    const expected = event.evidence
      .filter((e) => e.document === doc.id)
      .map((e) => byteSlice(doc.text, e.span.start, e.span.end));
    assert(expected.length > 0, "the event has no evidence");
    await page.getByTestId("tab-list").click();
    await page.locator(`[data-event="${restricted}"]`).click();
    await page.getByTestId("event-text").first().waitFor();
    await page.getByTestId("evidence").first().waitFor();
    const marked = await page.getByTestId("evidence").allTextContents();
    for (const words of expected) {
      assert(marked.some((m) => words.includes(m) && m.length > 0), `«${words}» is not highlighted; marks: ${JSON.stringify(marked)}`);
    }
    // Each mark is whole words of the report, never cut inside a character.
    const text = await page.getByTestId("event-text").first().textContent();
    assert(text === doc.text, "the report text is not shown whole");
    assert(page.url().includes(`show=event%3A${restricted}`) || page.url().includes(`show=event:${restricted}`), "the URL does not name the open event");
    const sources = await page.getByTestId("event-sources").textContent();
    assert(sources.includes(doc.title), "the event's source is not listed");
    metrics.highlighted = marked;
    await screenshot(page, "04-event");
  });

  await step("a sector panel shows its level, explanation and trend", async () => {
    await page.getByTestId("tab-timeline").click();
    const hottest = page.getByTestId("hottest-sectors").locator("button").first();
    const id = await hottest.getAttribute("data-sector");
    await hottest.click();
    await page.getByTestId("sector-level").waitFor();
    await page.getByTestId("sector-explanation").waitFor();
    await page.locator('[data-testid="sector-trend"], [data-testid="sector-notrend"]').first().waitFor();
    const expected = await apiGet(`/api/v1/sectors/${id}`, analyst);
    assert((await page.getByTestId("sector-level").getAttribute("data-value")) === expected.level, "the sector's level differs");
    await screenshot(page, "05-sector");
    await page.keyboard.press("Escape");
    await page.getByTestId("panel").waitFor({ state: "hidden" });
  });

  await step("an alert arrives live and is acknowledged, then closed", async () => {
    await page.getByTestId("stream-status").filter({ hasText: "Live" }).waitFor();
    await page.getByTestId("alerts-button").click();
    await page.locator('[data-testid="alerts-list"], [data-testid="alerts-empty"]').first().waitFor();
    const known = await page.getByTestId("alert").evaluateAll((nodes) => nodes.map((n) => n.dataset.alertId));
    const reports = JSON.parse(need("BW_LIVE_REPORTS"));
    const run = promisify(execFile);
    await run(need("BW_BIN"), ["ingest", ...reports], { env: { ...process.env, BELTWATCH_DB: need("BW_DB") } });
    const arrived = Date.now();
    const fresh = await page.waitForFunction(
      (ids) =>
        [...document.querySelectorAll('[data-testid="alert"]')].map((n) => n.dataset.alertId).find((id) => !ids.includes(id)),
      known,
      { timeout: 30000 },
    );
    metrics.alertSeenAfterIngestMs = Date.now() - arrived;
    const id = await fresh.jsonValue();
    const live = page.locator(`[data-alert-id="${id}"]`);
    const title = await live.locator(".alert-title").textContent();
    assert(/Ishkashim|Ishqoshim/.test(title), `the new alert is not the Ishkashim incident: ${title}`);
    await page.getByTestId("toast").filter({ hasText: "New alert" }).first().waitFor();
    const badge = Number(await page.getByTestId("alerts-badge").textContent());
    await live.getByTestId("alert-acknowledge").click();
    await page.locator(`[data-alert-id="${id}"][data-status="acknowledged"]`).waitFor();
    assert(Number(await page.getByTestId("alerts-badge").textContent() || 0) === badge - 1, "the badge did not count down");
    const stored = (await apiGet("/api/v1/alerts?limit=500", analyst)).items.find((a) => a.id === id);
    assert(stored && stored.status === "acknowledged", `the server has the alert as ${stored && stored.status}`);
    await screenshot(page, "06-alerts");
    await page.locator(`[data-alert-id="${id}"]`).getByTestId("alert-close").click();
    await page.locator(`[data-alert-id="${id}"]`).waitFor({ state: "detached" });
    const closed = (await apiGet("/api/v1/alerts?limit=500", analyst)).items.find((a) => a.id === id);
    assert(closed.status === "closed", "the server did not close the alert");
  });

  await step("the interface speaks Russian", async () => {
    await page.getByTestId("lang-ru").click();
    await page.getByTestId("tab-timeline").filter({ hasText: "События по неделям" }).waitFor();
    assert((await page.getAttribute("html", "lang")) === "ru", "html lang is not ru");
    await page.getByTestId("panel-title").filter({ hasText: "Оповещения" }).waitFor();
    await page.keyboard.press("Escape");
    await screenshot(page, "07-map-ru");
    await page.getByTestId("lang-en").click();
    await page.getByTestId("tab-timeline").filter({ hasText: "Events per week" }).waitFor();
  });

  await step("full-text search from the keyboard", async () => {
    await page.locator("body").click({ position: { x: 5, y: 760 } }).catch(() => {});
    await page.getByTestId("map").focus();
    await page.keyboard.press("/");
    assert(await page.getByTestId("search-input").evaluate((n) => n === document.activeElement), "/ does not focus search");
    await page.keyboard.type(word);
    await page.keyboard.press("Enter");
    await page.getByTestId("search-result").first().waitFor();
    await page.getByTestId("search-result").first().locator("button").click();
    await page.getByTestId("document-text").filter({ hasText: word }).waitFor();
    await screenshot(page, "08-search");
    await page.keyboard.press("Escape");
    await page.getByTestId("panel").waitFor({ state: "hidden" });
  });

  await step("a report dated to the month shows its month, not a day", async () => {
    const month = new Intl.DateTimeFormat("en-GB", { year: "numeric", month: "long", timeZone: "UTC" }).format(
      new Date("2022-05-01T00:00:00Z"),
    );
    await page.getByTestId("search-input").fill(monthWord);
    await page.getByTestId("search-input").press("Enter");
    const result = page.getByTestId("search-result").first();
    await result.waitFor();
    const meta = await result.locator(".muted").textContent();
    assert(meta.includes(month) && !meta.includes("1 " + month), `the search result shows ${JSON.stringify(meta)}`);
    await result.locator("button").click();
    await page.getByTestId("document-text").filter({ hasText: monthWord }).waitFor();
    const fields = await page.getByTestId("panel").locator("dl.fields").first().textContent();
    assert(fields.includes(month) && !fields.includes("1 " + month), `the report's fields read ${JSON.stringify(fields)}`);
    await screenshot(page, "08b-month");
    await page.keyboard.press("Escape");
    await page.getByTestId("panel").waitFor({ state: "hidden" });
  });

  await step("sign out", async () => {
    await page.getByTestId("signout").click();
    await page.getByTestId("signin").waitFor();
  });

  await step("a user of another organisation does not see the restricted event", async () => {
    const { page: other } = await newPage(browser);
    await signIn(other, partner);
    await mapSettled(other);
    const d = await dataset(other);
    const partnerTotal = Number(d.eventsTotal);
    assert(partnerTotal > 0, "the partner sees no event at all");
    assert(partnerTotal < analystTotal, `the partner sees ${partnerTotal} events, as many as the analyst (${analystTotal})`);
    await other.goto(`${base}/#show=event:${restricted}`);
    await other.getByTestId("event-notfound").waitFor();
    await screenshot(other, "09-partner-restricted");
    await other.getByTestId("search-input").fill(word);
    await other.getByTestId("search-input").press("Enter");
    await other.getByTestId("search-empty").waitFor();
    await other.getByTestId("alerts-button").click();
    await other.getByTestId("alerts-empty").waitFor();
    metrics.analystEvents = analystTotal;
    metrics.partnerEvents = partnerTotal;
  });
}

async function load(browser) {
  const token = need("BW_TOKEN");
  const { context, page } = await newPage(browser);
  await context.addInitScript((t) => sessionStorage.setItem("bw.token", t), token);
  // The server has been up a while when an analyst opens the dashboard: it has read the
  // belt once. Measured here, and kept apart from the browser's figures.
  await step("the server reads the belt", async () => {
    const started = Date.now();
    await Promise.all([apiGet("/api/v1/export/sectors", token), apiGet("/api/v1/export/events", token)]);
    metrics.serverWarmMs = Date.now() - started;
  });
  const runs = [];
  for (const name of ["first", "second"]) {
    await step(`navigate to the map (${name} visit)`, async () => {
      if (name === "first") await page.goto(base + "/");
      else await page.reload();
      await mapSettled(page);
      const d = await dataset(page);
      const timing = await page.evaluate(() => {
        const mark = performance.getEntriesByName("bw-map-ready")[0];
        const resources = performance
          .getEntriesByType("resource")
          .filter((r) => r.name.includes("/api/v1/export/"))
          .map((r) => ({ name: new URL(r.name).pathname, ms: Math.round(r.responseEnd - r.startTime), bytes: r.transferSize }));
        return { mark: mark ? Math.round(mark.startTime) : null, resources };
      });
      runs.push({
        visit: name,
        mapReadyMs: Number(d.mapReady),
        sectorsReadyMs: Number(d.sectorsReady),
        eventsReadyMs: Number(d.eventsReady),
        events: Number(d.eventsTotal),
        requests: timing.resources,
      });
    });
  }
  metrics.runs = runs;
  metrics.events = runs[0].events;
  metrics.mapReadyMs = runs[0].mapReadyMs;
  await screenshot(page, "10-map-50k");
  await step("filter 50k events by category", async () => {
    const started = Date.now();
    await page.getByTestId("filter-category-border_incident").check();
    await page.waitForFunction(() => document.body.dataset.mapBusy === "0" && document.body.dataset.eventsShown !== document.body.dataset.eventsTotal);
    metrics.filterMs = Date.now() - started;
    await screenshot(page, "11-map-50k-filtered");
  });
}

const browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
try {
  if (scenario === "main") await main(browser);
  else if (scenario === "load") await load(browser);
  else throw new Error(`no scenario ${scenario}`);
  if (pageErrors.length) throw new Error(`the page reported errors: ${pageErrors.join(" | ")}`);
  await browser.close();
  finish(true);
} catch (e) {
  log(`failed: ${e.stack || e.message}`);
  await browser.close().catch(() => {});
  finish(false, e.message);
}
