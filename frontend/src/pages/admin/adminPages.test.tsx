import { cleanup, fireEvent, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { setTextLocale } from "../../i18n";
import { json, renderWith } from "../../test/render";
import { signedIn, WhenSignedIn } from "../../test/signedIn";
import { AuditPage } from "./AuditPage";
import { OpsPage } from "./OpsPage";
import { WorkflowsPage } from "./WorkflowsPage";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  localStorage.clear();
  setTextLocale("en");
});

const OPS = {
  generated_at: "2026-12-04T13:05:00Z",
  services: [{ name: "auth", status: "ok", dependencies: { database: "ok" } }],
  queues: [
    { name: "servicedesk.events.unrouted", status: "ok", messages: 12345, consumers: 0 },
    { name: "tickets.dlq", status: "missing", messages: null, consumers: null },
  ],
  outbox: [{ service: "tickets", pending: null, lag_seconds: 1.25 }],
  rate_limited: { login: 3 },
  login_failures: 1500,
  events: [{ service: "auth", published: 2000, consumed: 0, dead_lettered: 1 }],
};

const WORKFLOW = {
  system: "TTS",
  initial: "open",
  states: [{ name: "open" }, { name: "needs_parts" }, { name: "closed", terminal: true }],
  transitions: [{ from: "open", to: "needs_parts", roles: ["agent", "manager"] }],
};

const render = (page: React.ReactNode, routes: Record<string, unknown>) =>
  renderWith(<WhenSignedIn>{page}</WhenSignedIn>, signedIn((url) => {
    const path = url.split("?")[0]!;
    return path in routes ? json(200, routes[path]) : json(404, { detail: "Not found", code: "not_found" });
  }));

describe("admin pages in German", () => {
  it("operations: words for states, numbers the German way, each value under its column's name", async () => {
    setTextLocale("de");
    render(<OpsPage />, { "/api/admin/ops": OPS, "/api/admin/orphaned-assignments": { items: [] } });
    const queues = await screen.findByRole("table", { name: "Warteschlangen" });
    expect(within(queues).getByText("12.345")).toBeTruthy();
    expect(within(queues).getByText("Fehlt")).toBeTruthy();
    expect(within(queues).getByText("12.345").getAttribute("data-label")).toBe("Wartende Nachrichten");
    expect(screen.getByText("1,3")).toBeTruthy(); // seconds of outbox lag, to a tenth
    expect(screen.getByText("unbekannt")).toBeTruthy();
    expect(screen.getByText(/Fehlgeschlagene Anmeldungen: 1\.500\./)).toBeTruthy();
    const asOf = screen.getByText((_, el) => el?.tagName === "P" && /^Stand 04\.12\.2026, \d\d:05; wird alle 10 Sekunden/.test(el.textContent ?? ""));
    expect(asOf.querySelector("time")?.getAttribute("dateTime")).toBe(OPS.generated_at);
  });

  it("workflows: states, roles and the editor", async () => {
    setTextLocale("de");
    render(<WorkflowsPage />, { "/api/workflows": [WORKFLOW] });
    const states = await screen.findByRole("list", { name: "Zustände" });
    expect([...states.querySelectorAll("li")].map((li) => li.textContent)).toEqual([
      "Offen (Anfang)", "Needs parts", "Geschlossen (Ende)",
    ]);
    expect(screen.getByRole("cell", { name: "Bearbeiter, Manager" })).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Workflow von TTS bearbeiten" }));
    expect(screen.getByLabelText("Workflow von TTS (JSON)")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Abbrechen" })).toBeTruthy();
  });
});

describe("the audit log", () => {
  it("says the chain is intact, counted", async () => {
    render(<AuditPage />, {
      "/api/admin/audit": { items: [], total: 0 },
      "/api/admin/audit/verify": { valid: true, entries: 1200, unsealed: 0, first_broken: null },
    });
    expect(await screen.findByText("The audit log has no entries yet.")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Verify chain" }));
    expect(await screen.findByText("The chain is intact: all 1,200 entries verified.")).toBeTruthy();
  });

  it("names the first broken entry", async () => {
    setTextLocale("de");
    render(<AuditPage />, {
      "/api/admin/audit": { items: [], total: 0 },
      "/api/admin/audit/verify": {
        valid: false, entries: 1, unsealed: 0, first_broken: { seq: 1204, id: 1210, reason: "hash mismatch" },
      },
    });
    fireEvent.click(await screen.findByRole("button", { name: "Kette prüfen" }));
    expect(await screen.findByText("Die Kette ist bei Eintrag 1204 unterbrochen: hash mismatch. 1 Eintrag geprüft.")).toBeTruthy();
  });

  it("names an entry that is off the chain by its id, and counts what is still being sealed", async () => {
    render(<AuditPage />, {
      "/api/admin/audit": { items: [], total: 0 },
      "/api/admin/audit/verify": {
        valid: false, entries: 7, unsealed: 2, first_broken: { seq: null, id: 9, reason: "queue row removed" },
      },
    });
    fireEvent.click(await screen.findByRole("button", { name: "Verify chain" }));
    expect(await screen.findByText(
      "The log is broken at the entry with id 9: queue row removed. 7 entries checked. "
        + "2 newer entries are still being sealed (not checked yet).",
    )).toBeTruthy();
  });

  it("shows an entry not sealed yet as sealing, keyed by its id", async () => {
    const entry = {
      id: 41, at: "2026-12-04T05:00:00Z", actor_id: null, actor_name: null, action: "ticket.created",
      object_type: "ticket", object_id: "7", old: null, new: null, request_id: null, ip: null,
    };
    render(<AuditPage />, {
      "/api/admin/audit": {
        items: [
          { ...entry, id: 42, seq: null, prev_hash: null, hash: null },
          { ...entry, seq: 40, prev_hash: "0".repeat(64), hash: "ab".repeat(32) },
        ],
        total: 2,
      },
    });
    const [, unsealed, sealed] = await screen.findAllByRole("row");
    expect(within(unsealed!).getByTitle(/not on the hash chain yet/).textContent).toBe("sealing…");
    expect(within(sealed!).getByRole("cell", { name: "40" })).toBeTruthy();
    expect(within(sealed!).getByText("abababababab…")).toBeTruthy();
  });
});
