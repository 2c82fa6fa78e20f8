/** The SLA policy form's state (strings, as typed) and its body for `PUT /api/sla/{system}`. */
import type { Schemas } from "../../api/client";
import type { FieldProblem } from "../../api/errors";
import { t, type MessageKey } from "../../i18n";
import { priorityLabel } from "../../i18n/labels";

export type Policy = Schemas["PolicyWrite"];
export const PRIORITIES = ["urgent", "high", "medium", "low"] as const;
export type Priority = (typeof PRIORITIES)[number];
export const TARGETS = ["first_response_minutes", "resolution_minutes"] as const;
/** ISO weekdays, 1 = Monday. */
export const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;

/** A weekday's name in the reader's language. */
export function weekdayName(day: (typeof WEEKDAYS)[number]): string {
  return t(`admin.sla.day.${day}`);
}

export interface SlaDraft {
  timezone: string;
  working_days: number[];
  start: string;
  end: string;
  holidays: string;
  targets: Record<Priority, Record<(typeof TARGETS)[number], string>>;
}

export function toDraft(policy: Policy): SlaDraft {
  const targets = {} as SlaDraft["targets"];
  for (const p of PRIORITIES) {
    const spec = policy.targets[p];
    targets[p] = {
      first_response_minutes: spec.first_response_minutes?.toString() ?? "",
      resolution_minutes: spec.resolution_minutes?.toString() ?? "",
    };
  }
  const cal = policy.calendar;
  return {
    timezone: cal.timezone,
    working_days: [...cal.working_days].sort(),
    start: cal.start,
    end: cal.end,
    holidays: (cal.holidays ?? []).join("\n"),
    targets,
  };
}

/** Minutes as typed: empty is "no target"; anything else goes to the server to judge. */
function minutes(text: string): number | null {
  const value = text.trim();
  return value === "" ? null : Number(value);
}

export function toBody(draft: SlaDraft): Policy {
  const targets = {} as Policy["targets"];
  for (const p of PRIORITIES) {
    targets[p] = {
      first_response_minutes: minutes(draft.targets[p].first_response_minutes),
      resolution_minutes: minutes(draft.targets[p].resolution_minutes),
    };
  }
  return {
    calendar: {
      timezone: draft.timezone.trim(),
      working_days: [...draft.working_days].sort(),
      start: draft.start.trim(),
      end: draft.end.trim(),
      holidays: draft.holidays.split(/[\s,]+/).filter(Boolean),
    },
    targets,
  };
}

/**
 * The form field each problem belongs to: `calendar.holidays[2]` -> `calendar.holidays`,
 * `calendar.working_days[0]` -> `calendar.working_days`; a path no field has is left out
 * (it still shows in the summary at the top).
 */
export function problemsByField(fields: FieldProblem[]): Record<string, string[]> {
  const known = new Set([
    "calendar.timezone",
    "calendar.working_days",
    "calendar.start",
    "calendar.end",
    "calendar.holidays",
    ...PRIORITIES.flatMap((p) => TARGETS.map((t) => `targets.${p}.${t}`)),
  ]);
  const out: Record<string, string[]> = {};
  for (const { path, message } of fields) {
    const key = path.replace(/\[\d+\]$/, "");
    if (!known.has(key)) continue;
    (out[key] ??= []).push(inWords(message.replace(/^[a-z_.[\]0-9]+: /, "")));
  }
  return out;
}

/** The form's label of a field the server names (read when needed: the language may change). */
const FIELD_KEYS: Record<string, MessageKey> = {
  "calendar.timezone": "admin.sla.timezone",
  "calendar.working_days": "admin.sla.workingDays",
  "calendar.start": "admin.sla.start",
  "calendar.end": "admin.sla.end",
  "calendar.holidays": "admin.sla.holidays",
  first_response_minutes: "admin.sla.target.first_response_minutes",
  resolution_minutes: "admin.sla.target.resolution_minutes",
};

function fieldName(path: string, fallback = path): string {
  const key = FIELD_KEYS[path];
  return key ? t(key) : fallback;
}

/**
 * A problem as people read it: "High priority, first response: -5 is not …". The server's
 * own words stay as they came (in English); the field names are the form's labels.
 */
export function inWords(problem: string): string {
  return problem
    .replace(/^targets\.(\w+)\.(\w+)/, (_, p: string, target: string) =>
      t("admin.sla.problem.target", { priority: priorityLabel(p), target: fieldName(target, target.replace(/_/g, " ")) }))
    .replace(/^(calendar\.\w+)\[(\d+)\]/, (_, path: string, i: string) =>
      t("admin.sla.problem.line", { field: fieldName(path), line: Number(i) + 1 }))
    .replace(/^calendar\.\w+/, (path) => fieldName(path))
    .replace(/calendar\.(start|end)/g, (_, w: string) => (w === "start" ? t("admin.sla.theStart") : t("admin.sla.theEnd")));
}
