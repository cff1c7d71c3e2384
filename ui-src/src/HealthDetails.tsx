import { formatUptime, type Health } from "./health";

/** The loaded state: one badge for the verdict, then the facts an operator checks first. */
export function HealthDetails({ health }: { health: Health }) {
  const ok = health.status === "ok";
  return (
    <>
      <p className="verdict">
        <span className={ok ? "badge badge-ok" : "badge badge-warn"}>
          <span className="badge-dot" aria-hidden="true" />
          <span className="visually-hidden">Status: </span>
          <span data-testid="health-status">{health.status}</span>
        </span>
        <span className="verdict-text">
          {ok ? "The server is up and answering." : "The server answers but does not report ok."}
        </span>
      </p>
      <dl className="facts">
        <Fact label="Version" testId="health-version" value={health.version} />
        <Fact label="Commit" testId="health-commit" value={health.commit} mono />
        <Fact label="Architecture" testId="health-arch" value={health.arch} mono />
        <Fact label="Target" testId="health-target" value={health.target} mono wide />
        <Fact label="OS" testId="health-os" value={health.os} />
        <Fact
          label="Uptime"
          testId="health-uptime"
          value={formatUptime(health.uptimeSeconds)}
          title={`${health.uptimeSeconds} seconds`}
        />
        <Fact
          label="Web UI"
          testId="health-ui"
          value={health.ui.enabled ? `served from ${health.ui.dir ?? "an unnamed directory"}` : "disabled"}
          wide
        />
      </dl>
    </>
  );
}

interface FactProps {
  label: string;
  value: string;
  testId: string;
  mono?: boolean;
  wide?: boolean;
  title?: string;
}

function Fact({ label, value, testId, mono, wide, title }: FactProps) {
  return (
    <div className={wide ? "fact fact-wide" : "fact"}>
      <dt>{label}</dt>
      <dd className={mono ? "mono" : undefined} data-testid={testId} title={title}>
        {value}
      </dd>
    </div>
  );
}
