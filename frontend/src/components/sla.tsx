/**
 * SLA clocks in words and colour (contract §13). The state is always written out ("Met",
 * "Breached", "Paused", "Due soon", "On track") and carries a symbol too, so nothing
 * depends on colour alone.
 */
import type { Schemas } from "../api/client";
import { When } from "./ui";

export type Clock = Schemas["ClockRead"];
export type Sla = Schemas["SlaRead"];
export type SlaState = "met" | "met_late" | "breached" | "paused" | "soon" | "running";

/** Under this much working time left, a running clock is "Due soon". */
export const SOON_SECONDS = 60 * 60;

/** Working seconds as "3 h 20 min", "45 min", "under a minute". */
export function duration(seconds: number): string {
  const minutes = Math.floor(Math.abs(seconds) / 60);
  if (minutes < 1) return "under a minute";
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (!h) return `${m} min`;
  return m ? `${h} h ${m} min` : `${h} h`;
}

export function clockState(clock: Clock): SlaState {
  if (clock.met_at) return clock.breached ? "met_late" : "met";
  if (clock.breached) return "breached";
  if (clock.paused) return "paused";
  return clock.remaining_seconds <= SOON_SECONDS ? "soon" : "running";
}

const WORDS: Record<SlaState, string> = {
  met: "Met",
  met_late: "Met late",
  breached: "Breached",
  paused: "Paused",
  soon: "Due soon",
  running: "On track",
};
const SYMBOL: Record<SlaState, string> = {
  met: "✓",
  met_late: "!",
  breached: "✕",
  paused: "⏸",
  soon: "!",
  running: "◷",
};

/** One sentence for a clock: the state, then the time left or over (working time). */
export function describeClock(clock: Clock): string {
  const state = clockState(clock);
  const left = duration(clock.remaining_seconds);
  switch (state) {
    case "met":
      return "Met";
    case "met_late":
      return "Met late (breached)";
    case "breached":
      return `Breached, ${left} over`;
    case "paused":
      return `Paused, ${left} left`;
    default:
      return `${WORDS[state]}, ${left} left`;
  }
}

/** The badge: symbol (hidden from screen readers) plus words; colour by state. */
export function SlaBadge({ clock, short = false }: { clock: Clock; short?: boolean }) {
  const state = clockState(clock);
  return (
    <span className={`sla sla-${state}`}>
      <span aria-hidden="true" className="sla-symbol">
        {SYMBOL[state]}
      </span>{" "}
      {short ? WORDS[state] : describeClock(clock)}
    </span>
  );
}

/** The clock that matters now: an unmet first response, else resolution. */
export function currentClock(sla: Sla | null | undefined): { name: string; clock: Clock } | null {
  if (!sla) return null;
  if (sla.first_response && !sla.first_response.met_at) {
    return { name: "First response", clock: sla.first_response };
  }
  if (sla.resolution) return { name: "Resolution", clock: sla.resolution };
  if (sla.first_response) return { name: "First response", clock: sla.first_response };
  return null;
}

/** The list's SLA cell: which target, its state in words, the time left. */
export function SlaCell({ sla }: { sla: Sla | null | undefined }) {
  const current = currentClock(sla);
  if (!current) return <span className="muted">No target</span>;
  return (
    <span className="sla-cell">
      <span className="sla-target">{current.name}</span>
      <SlaBadge clock={current.clock} />
    </span>
  );
}

/** The ticket page's section: each target with its due time and state. */
export function SlaPanel({ sla }: { sla: Sla | null | undefined }) {
  const rows = [
    { name: "First response", clock: sla?.first_response ?? null },
    { name: "Resolution", clock: sla?.resolution ?? null },
  ];
  return (
    <section aria-labelledby="sla-title" className="card">
      <h2 id="sla-title">Service level</h2>
      {rows.every((r) => !r.clock) ? (
        <p className="muted">No SLA target applies to this ticket.</p>
      ) : (
        <dl className="details sla-details">
          {rows.map(({ name, clock }) => (
            <div key={name}>
              <dt>{name}</dt>
              <dd>
                {clock ? <ClockFacts clock={clock} /> : <span className="muted">No target</span>}
              </dd>
            </div>
          ))}
        </dl>
      )}
      <p className="hint">Time left counts working hours only (the system's SLA calendar).</p>
    </section>
  );
}

function ClockFacts({ clock }: { clock: Clock }) {
  return (
    <>
      <SlaBadge clock={clock} />
      <br />
      {clock.met_at ? (
        <span className="muted">
          Met <When at={clock.met_at} />
          {clock.due_at ? (
            <>
              {" "}
              (due <When at={clock.due_at} />)
            </>
          ) : null}
        </span>
      ) : clock.due_at ? (
        <span className="muted">
          Due <When at={clock.due_at} />
          {clock.paused ? " (moves while paused)" : ""}
        </span>
      ) : (
        <span className="muted">No due time while paused</span>
      )}
    </>
  );
}
