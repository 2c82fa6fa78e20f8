import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { setTextLocale } from "../../i18n";
import { json, renderWith } from "../../test/render";
import { signedIn, WhenSignedIn } from "../../test/signedIn";
import { NotFoundPage } from "../NotFoundPage";
import { TicketPage } from "../TicketPage";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  localStorage.clear();
  sessionStorage.clear();
  setTextLocale("en");
});

const WORKFLOW = {
  system: "TTS", initial: "open",
  states: ["open", "in_progress", "waiting", "resolved", "closed"].map((name) => ({ name, terminal: name === "closed", pauses_sla: false })),
  transitions: [
    { from: "open", to: "closed", roles: ["requester", "agent"] },
    { from: "open", to: "in_progress", roles: ["agent"] },
  ],
};

function desk() {
  const ticket = {
    id: 3, title: "Printer jams", description: "Leeds.", status: "open", priority: "low", category: null,
    system: "TTS", requester_id: "r1", requester: null, assignee_id: null, assignee: null,
    created_at: "2026-03-02T10:00:00Z", updated_at: "2026-03-02T10:00:00Z",
    sla: { first_response: null, resolution: null }, ai_triage: null,
  };
  const calls: { url: string; method: string; body: unknown }[] = [];
  const handler = signedIn((url, init) => {
    const method = init?.method ?? "GET";
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    calls.push({ url, method, body });
    if (url === "/api/tickets/3" && method === "PATCH") {
      Object.assign(ticket, body);
      return json(200, ticket);
    }
    if (url === "/api/tickets/3/transitions") {
      ticket.status = body.to;
      return json(200, ticket);
    }
    if (url === "/api/tickets/3") return json(200, ticket);
    if (url === "/api/workflows/TTS") return json(200, WORKFLOW);
    if (url.endsWith("/comments") || url.endsWith("/attachments") || url.endsWith("/history")) return json(200, []);
    return json(404, { detail: "Not found", code: "not_found" });
  });
  renderWith(<WhenSignedIn><TicketPage id={3} /></WhenSignedIn>, handler, "/tickets/3");
  return calls;
}

describe("TicketPage", () => {
  it("edits title, priority and category inline, sending only the changes", async () => {
    const calls = desk();
    fireEvent.click(await screen.findByRole("button", { name: "Edit title, priority and category" }));
    const form = screen.getByRole("form", { name: "Edit the ticket" });
    fireEvent.change(within(form).getByLabelText("Title"), { target: { value: "Printer jams daily" } });
    fireEvent.change(within(form).getByLabelText("Priority"), { target: { value: "high" } });
    fireEvent.click(within(form).getByRole("button", { name: "Save changes" }));
    expect(await screen.findByRole("heading", { name: "Printer jams daily" })).toBeTruthy();
    const patch = calls.find((c) => c.method === "PATCH");
    expect(patch?.body).toEqual({ title: "Printer jams daily", priority: "high" });
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole("heading", { name: "Printer jams daily" })));
  });

  it("orders moves by the workflow and asks before a terminal one", async () => {
    const calls = desk();
    const regular = await screen.findByRole("group", { name: "Change status" });
    expect(within(regular).getAllByRole("button").map((b) => b.textContent)).toEqual(["Move to In progress"]);
    const ending = screen.getByRole("group", { name: "End the ticket" });
    fireEvent.click(within(ending).getByRole("button", { name: "Move to Closed…" }));
    const dialog = screen.getByRole("dialog", { name: "Move to Closed?" });
    expect(document.activeElement).toBe(within(dialog).getByRole("button", { name: "Cancel" }));
    fireEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(calls.some((c) => c.url.endsWith("/transitions"))).toBe(false);
    fireEvent.click(within(ending).getByRole("button", { name: "Move to Closed…" }));
    fireEvent.click(screen.getByRole("button", { name: "Yes, move to Closed" }));
    expect(await screen.findByText("Moved to Closed.")).toBeTruthy();
    expect(calls.find((c) => c.url.endsWith("/transitions"))?.body).toEqual({ to: "closed" });
  });

  it("speaks German to a German reader: labels, states, moves and dates", async () => {
    setTextLocale("de");
    desk();
    const regular = await screen.findByRole("group", { name: "Status ändern" });
    expect(within(regular).getAllByRole("button").map((b) => b.textContent)).toEqual(["Auf „In Bearbeitung“ setzen"]);
    const facts = screen.getByLabelText("Ticketdetails").textContent ?? "";
    expect(facts).toContain("Offen");
    expect(facts).toContain("Niedrig");
    expect(facts).toMatch(/02\.03\.2026/);
    expect(screen.getByRole("button", { name: "Titel, Priorität und Kategorie bearbeiten" }).textContent).toBe("Bearbeiten");
    expect(screen.getByRole("heading", { name: "Service-Level" })).toBeTruthy();
  });

  it("says a missing ticket is not found, and offers Try again for other failures", async () => {
    const handler = signedIn((url) =>
      url === "/api/tickets/3" ? json(503, { detail: "Unavailable", code: "unavailable" }) : json(404, { detail: "Not found", code: "not_found" }),
    );
    renderWith(<WhenSignedIn><TicketPage id={3} /></WhenSignedIn>, handler, "/tickets/3");
    expect(await screen.findByRole("button", { name: "Try again" })).toBeTruthy();
    cleanup();
    renderWith(<WhenSignedIn><TicketPage id={4} /></WhenSignedIn>, signedIn(() => json(404, { detail: "Not found", code: "not_found" })), "/tickets/4");
    expect(await screen.findByRole("heading", { name: "Ticket not found" })).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Try again" })).toBeNull();
  });
});

describe("NotFoundPage", () => {
  it("names the address and links back, never JSON", () => {
    renderWith(<NotFoundPage signedIn={false} />, () => json(401, {}), "/foo/bar");
    expect(screen.getByRole("heading", { name: "Page not found" })).toBeTruthy();
    expect(screen.getByText("/foo/bar")).toBeTruthy();
    expect(screen.getByRole("link", { name: "Sign in" }).getAttribute("href")).toBe("/login");
    expect(screen.getByRole("main")).toBeTruthy();
  });
});
