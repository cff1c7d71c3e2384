import { useCallback, useEffect, useState } from "react";
import { fetchHealth, HealthError, type Health } from "./health";

export const POLL_MS = 10_000;

export type HealthState =
  | { kind: "loading" }
  | { kind: "ok"; health: Health; checkedAt: Date }
  | { kind: "error"; message: string; checkedAt: Date };

/** Checks `url` now, then again POLL_MS after each answer; `refresh` checks at once. */
export function useHealth(url: string) {
  const [state, setState] = useState<HealthState>({ kind: "loading" });
  const [busy, setBusy] = useState(true);
  // Bumping the round re-runs the effect: that is both the poll and the refresh button.
  const [round, setRound] = useState(0);
  const refresh = useCallback(() => setRound((n) => n + 1), []);

  useEffect(() => {
    const cancel = new AbortController();
    let timer: number | undefined;
    setBusy(true);
    const check = async () => {
      try {
        const health = await fetchHealth(url, cancel.signal);
        if (!cancel.signal.aborted) setState({ kind: "ok", health, checkedAt: new Date() });
      } catch (err) {
        if (cancel.signal.aborted) return;
        const message = err instanceof HealthError ? err.message : `Unexpected failure: ${String(err)}`;
        setState({ kind: "error", message, checkedAt: new Date() });
      }
      if (cancel.signal.aborted) return;
      setBusy(false);
      timer = window.setTimeout(refresh, POLL_MS);
    };
    void check();
    return () => {
      cancel.abort();
      window.clearTimeout(timer);
    };
  }, [url, round, refresh]);

  return { state, busy, refresh };
}
