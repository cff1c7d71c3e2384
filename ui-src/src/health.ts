/** What `GET ${API_BASE}/health` answers, checked field by field before anything renders it. */
export interface Health {
  status: string;
  version: string;
  commit: string;
  target: string;
  arch: string;
  os: string;
  uptimeSeconds: number;
  ui: { enabled: boolean; dir: string | null };
}

/** A failed health check, worded for the operator who has to fix it. */
export class HealthError extends Error {}

const TIMEOUT_MS = 5_000;

export function healthUrl(apiBase: string): string {
  const base = apiBase.replace(/\/+$/, "");
  // Absolute, so the error state can show exactly which address was tried.
  return new URL(`${base}/health`, window.location.href).href;
}

/** Fetches and validates the health document; rejects with a HealthError, or an AbortError if `signal` fired. */
export async function fetchHealth(url: string, signal: AbortSignal): Promise<Health> {
  // A hung server must end in the error state, not in an endless "loading".
  const timeout = new AbortController();
  const timer = window.setTimeout(() => timeout.abort(), TIMEOUT_MS);
  const abort = () => timeout.abort();
  signal.addEventListener("abort", abort);
  try {
    let response: Response;
    try {
      response = await fetch(url, { signal: timeout.signal, headers: { Accept: "application/json" }, cache: "no-store" });
    } catch (err) {
      if (signal.aborted) throw err;
      if (timeout.signal.aborted) throw new HealthError(`No answer within ${TIMEOUT_MS / 1000} s.`);
      throw new HealthError(`The request failed before any answer (${errorText(err)}): the server is down or unreachable.`);
    }
    if (!response.ok) {
      throw new HealthError(`The server answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}, not 200.`);
    }
    const body = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      const type = response.headers.get("content-type") ?? "no content type";
      throw new HealthError(`The answer is not JSON (${type}): this address is not the NoETL API.`);
    }
    return parseHealth(json);
  } finally {
    window.clearTimeout(timer);
    signal.removeEventListener("abort", abort);
  }
}

export function parseHealth(json: unknown): Health {
  if (!isRecord(json)) throw new HealthError("The answer is JSON but not an object.");
  const ui = json.ui;
  if (!isRecord(ui) || typeof ui.enabled !== "boolean") throw bad("ui.enabled", "a boolean");
  if (ui.dir !== undefined && ui.dir !== null && typeof ui.dir !== "string") throw bad("ui.dir", "a string");
  const uptime = json.uptime_seconds;
  if (typeof uptime !== "number" || !Number.isFinite(uptime) || uptime < 0) throw bad("uptime_seconds", "a number ≥ 0");
  return {
    status: str(json, "status"),
    version: str(json, "version"),
    commit: str(json, "commit"),
    target: str(json, "target"),
    arch: str(json, "arch"),
    os: str(json, "os"),
    uptimeSeconds: uptime,
    ui: { enabled: ui.enabled, dir: ui.dir ?? null },
  };
}

/** 93784 → "1d 2h 3m": the two largest units are all an operator reads at a glance. */
export function formatUptime(seconds: number): string {
  const units: [string, number][] = [["d", 86_400], ["h", 3_600], ["m", 60], ["s", 1]];
  let rest = Math.floor(seconds);
  const parts: string[] = [];
  for (const [name, size] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 || parts.length > 0) parts.push(`${n}${name}`);
  }
  return parts.length === 0 ? "0s" : parts.slice(0, 2).join(" ");
}

function str(json: Record<string, unknown>, key: string): string {
  const value = json[key];
  if (typeof value !== "string" || value === "") throw bad(key, "a non-empty string");
  return value;
}

function bad(field: string, expected: string): HealthError {
  return new HealthError(`The answer's "${field}" is missing or not ${expected}: the server and this UI disagree on the health format.`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
