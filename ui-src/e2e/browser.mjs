// Real-browser check of a served NoETL UI, with Debian's Chromium driven by playwright-core.
//
//   node e2e/browser.mjs --url http://127.0.0.1:PORT/ --screenshot PATH
//        [--expect-arch x86_64] [--expect-error] [--timeout-ms 20000]
//
// Default mode: the page must reach the loaded state with status "ok" and version, commit, arch and
// target rendered. --expect-error: the page must show the error state (the API is down), name the
// URL it tried, and its Retry button must send a new health request.
// Prints one JSON line and exits 0 on success; exits 1 with one line on stderr otherwise (a
// screenshot is still saved), 2 on bad arguments.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";

// `npx playwright install` cannot download a browser here: use the distribution's Chromium.
const CHROMIUM = "/usr/bin/chromium";
// Headless and offline-quiet: no GPU, no QUIC, no background fetches that could leave localhost.
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const USAGE =
  "usage: node e2e/browser.mjs --url URL --screenshot PATH [--expect-arch ARCH] [--expect-error] [--timeout-ms N]";
const FIELDS = ["version", "commit", "arch", "target"];

/** A check that failed: the page or the server is wrong, not this script. */
class Failure extends Error {}

function parseCli(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: "string" },
      screenshot: { type: "string" },
      "expect-arch": { type: "string" },
      "expect-error": { type: "boolean", default: false },
      "timeout-ms": { type: "string", default: "20000" },
    },
  });
  if (!values.url || !values.screenshot) throw new Error("--url and --screenshot are required");
  const timeoutMs = Number(values["timeout-ms"]);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    throw new Error(`--timeout-ms '${values["timeout-ms"]}' is not a positive whole number of milliseconds`);
  }
  if (values["expect-error"] && values["expect-arch"]) {
    throw new Error("--expect-arch cannot be checked with --expect-error: the error state shows no arch");
  }
  return {
    url: values.url,
    screenshot: resolve(values.screenshot),
    expectArch: values["expect-arch"],
    expectError: values["expect-error"],
    timeoutMs,
  };
}

/** Waits for the app to leave "loading" and returns "loaded" or "error". */
async function settledState(page, opts, deadline) {
  try {
    await page.goto(opts.url, { waitUntil: "domcontentloaded", timeout: Math.max(1, deadline - Date.now()) });
  } catch (err) {
    throw new Failure(`could not load ${opts.url}: ${firstLine(err)}`);
  }
  try {
    const handle = await page.waitForFunction(
      () => {
        if (document.querySelector('[data-testid="health-error"]')) return "error";
        const status = document.querySelector('[data-testid="health-status"]');
        return status && status.textContent.trim() ? "loaded" : null;
      },
      null,
      { polling: 100, timeout: Math.max(1, deadline - Date.now()) },
    );
    return await handle.jsonValue();
  } catch (err) {
    if (!/Timeout/i.test(String(err))) throw err;
    const shown = (await page.locator("body").innerText().catch(() => "")).replace(/\s+/g, " ").trim();
    throw new Failure(
      `timed out after ${opts.timeoutMs} ms: neither health-status nor health-error appeared ` +
        `(page shows: "${shown.slice(0, 200) || "nothing"}")`,
    );
  }
}

/** The trimmed text of a data-testid element, or null when it is absent. */
async function read(page, testId) {
  const element = page.locator(`[data-testid="${testId}"]`);
  // textContent, not innerText: CSS may display the value in capitals, the check wants the data.
  return (await element.count()) > 0 ? ((await element.first().textContent()) ?? "").trim() : null;
}

/** The error state's message as a person reads it (innerText keeps the line breaks between its parts). */
async function errorText(page) {
  return oneLine(await page.getByTestId("health-error").innerText());
}

async function checkLoaded(page, state, opts) {
  if (state === "error") {
    throw new Failure(`the page shows the error state: ${await errorText(page)}`);
  }
  const result = { status: await read(page, "health-status") };
  if (result.status !== "ok") throw new Failure(`health-status shows '${result.status}', expected 'ok'`);
  for (const field of FIELDS) {
    result[field] = await read(page, `health-${field}`);
    if (!result[field]) throw new Failure(`health-${field} is missing or empty on the loaded page`);
  }
  if (opts.expectArch && result.arch !== opts.expectArch) {
    throw new Failure(`health-arch shows '${result.arch}', expected '${opts.expectArch}' (--expect-arch)`);
  }
  await page.screenshot({ path: opts.screenshot, fullPage: true });
  return result;
}

async function checkError(page, state, opts) {
  if (state !== "error") {
    throw new Failure(`expected the error state, but health-status shows '${await read(page, "health-status")}'`);
  }
  const message = await errorText(page);
  if (!message.includes("/health")) throw new Failure(`the error state does not name the URL it tried: "${message}"`);
  await page.screenshot({ path: opts.screenshot, fullPage: true });

  const retry = page.getByTestId("health-error").getByRole("button", { name: "Retry" });
  if ((await retry.count()) === 0) throw new Failure("the error state has no Retry button");
  const isHealth = (request) => new URL(request.url()).pathname.endsWith("/health");
  try {
    await Promise.all([page.waitForRequest(isHealth, { timeout: 5_000 }), retry.click()]);
  } catch (err) {
    throw new Failure(`clicking Retry sent no new health request (${firstLine(err)})`);
  }
  return { status: "error", message };
}

async function run(opts) {
  const deadline = Date.now() + opts.timeoutMs;
  // A fresh profile per run: no cache, cookies or service worker carried over between checks.
  const userDataDir = mkdtempSync(join(tmpdir(), "noetl-ui-browser-"));
  let context;
  try {
    try {
      context = await chromium.launchPersistentContext(userDataDir, {
        executablePath: CHROMIUM,
        headless: true,
        args: FLAGS,
        viewport: { width: 1100, height: 720 },
        timeout: opts.timeoutMs,
      });
    } catch (err) {
      throw new Failure(`could not start ${CHROMIUM}: ${firstLine(err)}. fix: apt-get install chromium`);
    }
    const page = context.pages()[0] ?? (await context.newPage());
    const pageErrors = [];
    page.on("pageerror", (err) => pageErrors.push(firstLine(err)));
    try {
      const state = await settledState(page, opts, deadline);
      const result = opts.expectError ? await checkError(page, state, opts) : await checkLoaded(page, state, opts);
      if (pageErrors.length > 0) throw new Failure(`the page threw: ${pageErrors.join(" | ")}`);
      return { ...result, screenshot: opts.screenshot };
    } catch (err) {
      await page.screenshot({ path: opts.screenshot, fullPage: true }).catch(() => {});
      throw err;
    }
  } finally {
    await context?.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

function firstLine(err) {
  return String(err instanceof Error ? err.message : err).split("\n")[0];
}

function oneLine(text) {
  return text.replace(/\s+/g, " ").trim();
}

let opts;
try {
  opts = parseCli(process.argv.slice(2));
} catch (err) {
  console.error(`error: ${firstLine(err)}\n${USAGE}`);
  process.exit(2);
}
try {
  console.log(JSON.stringify(await run(opts)));
} catch (err) {
  // A Failure is a verdict on the page; anything else is a bug here, so keep its stack.
  const detail = err instanceof Failure ? firstLine(err) : (err?.stack ?? String(err));
  console.error(`browser test failed: ${detail}; screenshot: ${opts.screenshot}`);
  process.exit(1);
}
