import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fieldOf } from "../../api/errors";
import { json, renderWith } from "../../test/render";
import { signedIn, WhenSignedIn } from "../../test/signedIn";
import { setTextLocale } from "../../i18n";
import { inWords, problemsByField, toBody, toDraft, weekdayName } from "./slaForm";
import { SlaPage } from "./SlaPage";

afterEach(() => {
  cleanup();
  setTextLocale("en");
  vi.unstubAllGlobals();
  localStorage.clear();
});

const POLICY = {
  system: "TTS",
  calendar: { timezone: "UTC", working_days: [1, 2, 3, 4, 5], start: "09:00", end: "17:00", holidays: [] },
  targets: {
    low: { first_response_minutes: 1440, resolution_minutes: 2400 },
    medium: { first_response_minutes: 480, resolution_minutes: 1440 },
    high: { first_response_minutes: 120, resolution_minutes: 480 },
    urgent: { first_response_minutes: 30, resolution_minutes: 240 },
  },
  updated_at: null,
  updated_by: null,
};

const PROBLEMS = [
  "calendar.timezone: unknown timezone 'Mars/Olympus'",
  "calendar.working_days: 8 is not an ISO weekday (1-7)",
  "calendar.start '18:00' is not before calendar.end '09:00'",
  "calendar.holidays[0]: 'soon' is not a date (YYYY-MM-DD)",
  "targets.high.first_response_minutes: -5 is not a positive number of minutes",
];

describe("SLA form", () => {
  it("maps each problem to its field", () => {
    const fields = PROBLEMS.map(fieldOf).filter((f) => f !== null);
    expect(fields.map((f) => f.path)).toEqual([
      "calendar.timezone", "calendar.working_days", "calendar.start", "calendar.holidays[0]",
      "targets.high.first_response_minutes",
    ]);
    const pydantic = fieldOf({ loc: ["body", "targets", "low", "resolution_minutes"], msg: "Input should be a valid integer" });
    const byField = problemsByField([...fields, pydantic!]);
    expect(byField["calendar.holidays"]).toEqual(["'soon' is not a date (YYYY-MM-DD)"]);
    expect(byField["calendar.start"]).toEqual(["Start of the working day '18:00' is not before the end '09:00'"]);
    expect(byField["targets.low.resolution_minutes"]).toEqual(["Input should be a valid integer"]);
  });

  it("names the fields of a problem in the reader's language (the server's words stay)", () => {
    expect(inWords("calendar.holidays[1]: 'soon' is not a date")).toBe("Holidays, line 2: 'soon' is not a date");
    setTextLocale("de");
    expect(inWords("targets.high.first_response_minutes: -5 is not a positive number of minutes")).toBe(
      "Priorität Hoch, erste Antwort: -5 is not a positive number of minutes",
    );
    expect(inWords("calendar.holidays[1]: 'soon' is not a date")).toBe("Feiertage, Zeile 2: 'soon' is not a date");
    expect(weekdayName(1)).toBe("Montag");
  });

  it("round-trips a policy, empty minutes meaning no target", () => {
    const draft = toDraft(POLICY);
    draft.targets.low.first_response_minutes = "";
    draft.holidays = "2026-12-25\n2026-12-26";
    const body = toBody(draft);
    expect(body.targets.low.first_response_minutes).toBeNull();
    expect(body.calendar.holidays).toEqual(["2026-12-25", "2026-12-26"]);
    expect(body.targets.urgent).toEqual({ first_response_minutes: 30, resolution_minutes: 240 });
  });

  it("shows every 422 problem beside its field", async () => {
    let sent: unknown = null;
    renderWith(<WhenSignedIn><SlaPage /></WhenSignedIn>, signedIn((url, init) => {
      if (url === "/api/systems") return json(200, [{ name: "TTS", description: "Train ticket system" }]);
      if (url === "/api/sla/TTS" && init?.method === "PUT") {
        sent = JSON.parse(String(init.body));
        return json(422, { detail: "The SLA policy is not valid", code: "invalid_sla_policy", errors: PROBLEMS });
      }
      if (url === "/api/sla/TTS") return json(200, POLICY);
      return json(404, { detail: "Not found", code: "not_found" });
    }));
    const timezone = await screen.findByLabelText("Timezone");
    fireEvent.change(timezone, { target: { value: "Mars/Olympus" } });
    fireEvent.click(screen.getByLabelText("Saturday"));
    fireEvent.click(screen.getByRole("button", { name: "Save policy" }));
    await screen.findByText(/The SLA policy is not valid\. Every problem/);
    expect(sent).toMatchObject({ calendar: { timezone: "Mars/Olympus", working_days: [1, 2, 3, 4, 5, 6] } });

    const nextTo = (label: string) => {
      const input = screen.getByLabelText(label);
      expect(input.getAttribute("aria-invalid")).toBe("true");
      const ids = (input.getAttribute("aria-describedby") ?? "").split(" ");
      return ids.map((id) => document.getElementById(id)?.textContent ?? "").join(" ");
    };
    expect(nextTo("Timezone")).toContain("unknown timezone 'Mars/Olympus'");
    expect(nextTo("Start of the working day")).toContain("'18:00' is not before the end '09:00'");
    expect(nextTo("Holidays")).toContain("'soon' is not a date");
    const high = screen.getByRole("group", { name: "High priority" });
    const highFirst = high.querySelector("input")!;
    expect(highFirst.getAttribute("aria-invalid")).toBe("true");
    expect(high.textContent).toContain("-5 is not a positive number of minutes");
    const days = screen.getByRole("group", { name: "Working days" });
    expect(days.textContent).toContain("8 is not an ISO weekday");
    // The summary at the top lists them all too, in words.
    const alert = screen.getAllByRole("alert")[0]!;
    expect([...alert.querySelectorAll("li")].map((li) => li.textContent)).toEqual([
      "Timezone: unknown timezone 'Mars/Olympus'",
      "Working days: 8 is not an ISO weekday (1-7)",
      "Start of the working day '18:00' is not before the end '09:00'",
      "Holidays, line 1: 'soon' is not a date (YYYY-MM-DD)",
      "High priority, first response: -5 is not a positive number of minutes",
    ]);
    await waitFor(() => expect(screen.getByLabelText("End of the working day").getAttribute("aria-invalid")).toBeNull());
  });

  it("lets a superuser add a system", async () => {
    renderWith(<WhenSignedIn><SlaPage /></WhenSignedIn>, signedIn((url, init) => {
      if (url === "/api/systems" && init?.method === "POST") {
        return json(201, { code: "HR", name: "Human resources", workflow: {} });
      }
      if (url === "/api/systems") return json(200, [{ name: "TTS", description: "TTS" }]);
      if (url.startsWith("/api/sla/")) return json(200, POLICY);
      return json(404, {});
    }));
    fireEvent.change(await screen.findByLabelText("Code"), { target: { value: "hr" } });
    fireEvent.change(screen.getByLabelText("Name"), { target: { value: "Human resources" } });
    fireEvent.click(screen.getByRole("button", { name: "Add system" }));
    expect(await screen.findByText(/Added HR with the default workflow/)).toBeTruthy();
  });
});
