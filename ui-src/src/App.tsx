import { healthUrl } from "./health";
import { HealthDetails } from "./HealthDetails";
import { POLL_MS, useHealth } from "./useHealth";

const HEALTH_URL = healthUrl(import.meta.env.VITE_API_BASE_URL || "/api");

export function App() {
  const { state, busy, refresh } = useHealth(HEALTH_URL);

  return (
    <>
      <header className="topbar">
        <img className="topbar-logo" src="/favicon.svg" alt="" width="28" height="28" />
        <span className="topbar-name">NoETL</span>
        <span className="topbar-sub">operator console</span>
      </header>
      <main className="page">
        <section className="card" aria-labelledby="server-title" aria-busy={busy}>
          <div className="card-head">
            <h1 id="server-title">Server</h1>
            {state.kind !== "error" && (
              <button type="button" className="button" onClick={refresh} disabled={busy}>
                Refresh
              </button>
            )}
          </div>

          {state.kind === "loading" && (
            <p className="loading" role="status" data-testid="health-loading">
              Checking server health…
            </p>
          )}

          {state.kind === "ok" && <HealthDetails health={state.health} />}

          {state.kind === "error" && (
            <div className="error" role="alert" data-testid="health-error">
              <h2>Cannot read the server's health</h2>
              <p>{state.message}</p>
              <p>
                Tried <code className="mono">{HEALTH_URL}</code>
              </p>
              <p className="hint">
                Check that the NoETL server is running and that this UI was built with the right
                <code className="mono"> VITE_API_BASE_URL</code>.
              </p>
              <button type="button" className="button" onClick={refresh} disabled={busy}>
                Retry
              </button>
            </div>
          )}

          {state.kind !== "loading" && (
            <p className="footnote">
              Last checked {state.checkedAt.toLocaleTimeString()} · refreshes every {POLL_MS / 1000} s
            </p>
          )}
        </section>
      </main>
    </>
  );
}
