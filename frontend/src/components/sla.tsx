/**
 * SLA clocks in words and colour (contract §13). The state is always written out ("Met",
 * "Breached", "Paused", "Due soon", "On track") and carries a symbol too, so nothing
 * depends on colour alone.
 */
import type { Schemas } from "../api/client";
import { formatDateTime, formatRelative, t, tx } from "../i18n";
import { When } from "./ui";

export type Clock = Schemas["ClockRead"];
export type Sla = Schemas["SlaRead"];
export type SlaState = "met" | "met_late" | "breached" | "paused" | "soon" | "running";

/** Under this much working time left, a running clock is "Due soon". */
export const SOON_SECONDS = 60 * 60;

/** Working seconds as "3 h 20 min", "45 min", "under a minute". */
export function duration(seconds: number): string {
  const minutes = Math.floor(Math.abs(seconds) / 60);
  if (minutes < 1) return t("ticket.sla.underMinute");
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (!h) return t("ticket.sla.minutes", { m });
  return m ? t("ticket.sla.hoursMinutes", { h, m }) : t("ticket.sla.hours", { h });
}

export function clockState(clock: Clock): SlaState {
  if (clock.met_at) return clock.breached ? "met_late" : "met";
  if (clock.breached) return "breached";
  if (clock.paused) return "paused";
  return clock.remaining_seconds <= SOON_SECONDS ? "soon" : "running";
}

/** The state in one or two words ("On track", "Breached"). */
export function slaWord(state: SlaState): string {
  return t(`ticket.sla.${state}`);
}
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
      return slaWord(state);
    case "met_late":
      return t("ticket.sla.metLate");
    case "breached":
      return t("ticket.sla.over", { state: slaWord(state), time: left });
    default:
      return t("ticket.sla.left", { state: slaWord(state), time: left });
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
      {short ? slaWord(state) : describeClock(clock)}
    </span>
  );
}

/** The clock that matters now: an unmet first response, else resolution. */
export function currentClock(sla: Sla | null | undefined): { name: string; clock: Clock } | null {
  if (!sla) return null;
  if (sla.first_response && !sla.first_response.met_at) {
    return { name: t("ticket.sla.firstResponse"), clock: sla.first_response };
  }
  if (sla.resolution) return { name: t("ticket.sla.resolution"), clock: sla.resolution };
  if (sla.first_response) return { name: t("ticket.sla.firstResponse"), clock: sla.first_response };
  return null;
}

/** The list's SLA cell: which target, its state in words, the time left. */
export function SlaCell({ sla }: { sla: Sla | null | undefined }) {
  const current = currentClock(sla);
  if (!current) return <span className="muted">{t("ticket.sla.noTarget")}</span>;
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
    { name: t("ticket.sla.firstResponse"), clock: sla?.first_response ?? null },
    { name: t("ticket.sla.resolution"), clock: sla?.resolution ?? null },
  ];
  return (
    <section aria-labelledby="sla-title" className="card">
      <h2 id="sla-title">{t("ticket.sla.title")}</h2>
      {rows.every((r) => !r.clock) ? (
        <p className="muted">{t("ticket.sla.none")}</p>
      ) : (
        <dl className="details sla-details">
          {rows.map(({ name, clock }) => (
            <div key={name}>
              <dt>{name}</dt>
              <dd>
                {clock ? <ClockFacts clock={clock} /> : <span className="muted">{t("ticket.sla.noTarget")}</span>}
              </dd>
            </div>
          ))}
        </dl>
      )}
      <p className="hint">{t("ticket.sla.hint")}</p>
    </section>
  );
}

/** A due time as "in 3 hours" / "vor 2 Stunden", the full date on hover. */
export function Relative({ at }: { at: string }) {
  return (
    <time dateTime={at} title={formatDateTime(at)}>
      {formatRelative(at)}
    </time>
  );
}

function ClockFacts({ clock }: { clock: Clock }) {
  let facts;
  if (clock.met_at) {
    facts = clock.due_at
      ? tx("ticket.sla.metDue", { when: <When at={clock.met_at} />, due: <When at={clock.due_at} /> })
      : tx("ticket.sla.metAt", { when: <When at={clock.met_at} /> });
  } else if (clock.due_at) {
    const key = clock.paused ? "ticket.sla.duePaused" : "ticket.sla.due";
    facts = tx(key, { when: <Relative at={clock.due_at} /> });
  } else {
    facts = t("ticket.sla.noDue");
  }
  return (
    <>
      <SlaBadge clock={clock} />
      <br />
      <span className="muted">{facts}</span>
    </>
  );
}
