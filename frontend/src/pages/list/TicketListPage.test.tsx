import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { setTextLocale } from "../../i18n";
import { json, renderWith } from "../../test/render";
import { signedIn, WhenSignedIn } from "../../test/signedIn";
import { TicketListPage } from "../TicketListPage";
import { listUrl, rememberFilters, rememberOpened } from "./lastList";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  localStorage.clear();
  sessionStorage.clear();
});

const person = (id: string, name: string) => ({ id, username: name.toLowerCase(), display_name: name });
const ticket = (id: number, title: string) => ({
  id, title, status: "in_progress", priority: "high", system: "TTS", category: null,
  requester_id: "r1", requester: person("r1", "Ada Lovelace"),
  assignee_id: null, assignee: null, created_at: "2026-03-02T10:00:00Z", updated_at: "2026-03-02T10:00:00Z",
  sla: { first_response: null, resolution: null },
});
const PAGE = { items: [ticket(7, "x".repeat(300)), ticket(5, "Printer jams")], total: 2, limit: 25, offset: 0 };

const view = (id: string, name: string, count: number, filters: object, sort = "-updated_at", more = {}) => ({
  id, name, count, filters, sort, builtin: !/^\d+$/.test(id), editable: /^\d+$/.test(id),
  shared: false, system: null, owner_id: null, ...more,
});
const VIEWS = {
  items: [
    view("mine", "Mine", 3, { assignee: "me", active: true }),
    view("unassigned", "Unassigned", 1234, { assignee: "none", active: true }, "sla_due"),
    view("at_risk", "At risk", 0, { sla: "at_risk" }, "sla_due"),
    view("42", "Urgent printers", 2, { priority: "urgent", q: "printer" }),
  ],
};

function list(answers: (() => Response)[], bulk?: (body: unknown) => Response, me?: object) {
  let call = 0;
  return signedIn((url, init) => {
    if (url.startsWith("/api/systems")) return json(200, [{ name: "TTS", description: "" }]);
    if (url.startsWith("/api/views")) return json(200, VIEWS);
    if (url === "/api/tickets/bulk" && bulk) return bulk(JSON.parse(String(init?.body)));
    if (url.startsWith("/api/tickets")) return (answers[Math.min(call++, answers.length - 1)] as () => Response)();
    return json(404, { detail: "Not found", code: "not_found" });
  }, me);
}

const show = (handler: ReturnType<typeof list>, path = "/tickets") =>
  renderWith(<WhenSignedIn><TicketListPage /></WhenSignedIn>, handler, path);

describe("TicketListPage", () => {
  it("shows a failed load as one error with Try again, never with the empty-state message", async () => {
    show(list([() => json(500, { detail: "Internal error.", code: "internal" }), () => json(200, { ...PAGE, items: [], total: 0 })]), "/tickets?q=zzz");
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Internal error.");
    expect(screen.queryByText(/No tickets match/)).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByText(/No tickets match these filters/)).toBeTruthy();
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("lists requester and assignee by name, the full title on the link", async () => {
    show(list([() => json(200, PAGE)]));
    const link = await screen.findByRole("link", { name: "x".repeat(300) });
    expect(link.getAttribute("title")).toBe("x".repeat(300));
    expect(screen.getByRole("columnheader", { name: "Requester" })).toBeTruthy();
    expect(screen.getAllByText("Ada Lovelace")).toHaveLength(2);
    expect(screen.getAllByText("Nobody")).toHaveLength(2);
    expect(within(screen.getByRole("table")).getAllByText("In progress")).toHaveLength(2);
  });

  it("moves with j and k, opens with Enter, searches with / and lists the keys with ?", async () => {
    show(list([() => json(200, PAGE)]));
    const rows = await screen.findAllByRole("row");
    const body = rows.slice(1);
    fireEvent.keyDown(document.body, { key: "j" });
    expect(body[0]?.getAttribute("aria-current")).toBe("true");
    expect(document.activeElement).toBe(screen.getByRole("link", { name: "x".repeat(300) }));
    fireEvent.keyDown(document.body, { key: "j" });
    expect(body[1]?.getAttribute("aria-current")).toBe("true");
    fireEvent.keyDown(document.body, { key: "j" });
    expect(body[1]?.getAttribute("aria-current")).toBe("true");
    fireEvent.keyDown(document.body, { key: "k" });
    expect(body[0]?.getAttribute("aria-current")).toBe("true");

    const search = screen.getByLabelText("Search");
    fireEvent.keyDown(document.body, { key: "/" });
    expect(document.activeElement).toBe(search);
    fireEvent.keyDown(search, { key: "?" });
    expect(screen.queryByRole("dialog")).toBeNull();

    fireEvent.keyDown(document.body, { key: "?" });
    const help = screen.getByRole("dialog", { name: "Keyboard shortcuts" });
    expect(help.textContent).toContain("Next ticket");
    expect(help.textContent).toContain("Select or unselect the current ticket");
    fireEvent.click(screen.getByRole("button", { name: "Close" }));
    expect(screen.queryByRole("dialog")).toBeNull();

    fireEvent.keyDown(document.body, { key: "Enter" });
    await waitFor(() => expect(window.location.pathname).toBe("/tickets/7"));
  });
});

describe("coming back to the list", () => {
  it("keeps the filters for the ticket page's link and makes the ticket just seen current", async () => {
    rememberFilters(new URLSearchParams("priority=high&q=printer"));
    expect(listUrl()).toBe("/tickets?priority=high&q=printer");
    rememberOpened(5);
    show(list([() => json(200, PAGE)]), "/tickets?priority=high");
    const link = await screen.findByRole("link", { name: "Printer jams" });
    await waitFor(() => expect(document.activeElement).toBe(link));
    expect(link.closest("tr")?.getAttribute("aria-current")).toBe("true");
    expect(listUrl()).toBe("/tickets?priority=high");
  });
});

const sent = (fetch: ReturnType<typeof show>["fetch"], path: string) =>
  fetch.mock.calls
    .filter(([url, init]) => String(url) === path && init?.method === "POST")
    .map(([, init]) => JSON.parse(String(init?.body)));

describe("the queue", () => {
  it("sorts by a header: the URL gets the sort, the header its aria-sort, a second click flips it", async () => {
    show(list([() => json(200, PAGE)]), "/tickets?system=TTS");
    await screen.findAllByRole("row");
    const updated = screen.getByRole("columnheader", { name: /Updated/ });
    expect(updated.getAttribute("aria-sort")).toBe("descending");
    fireEvent.click(within(screen.getByRole("columnheader", { name: /Priority/ })).getByRole("button"));
    await waitFor(() => expect(window.location.search).toBe("?system=TTS&sort=-priority"));
    expect(screen.getByRole("columnheader", { name: /Priority/ }).getAttribute("aria-sort")).toBe("descending");
    expect(screen.getByRole("columnheader", { name: /Updated/ }).getAttribute("aria-sort")).toBeNull();
    fireEvent.click(within(screen.getByRole("columnheader", { name: /Priority/ })).getByRole("button"));
    await waitFor(() => expect(window.location.search).toBe("?system=TTS&sort=priority"));
    expect(screen.getByRole("columnheader", { name: /Priority/ }).getAttribute("aria-sort")).toBe("ascending");
  });

  it("sends the selection in one bulk call and shows each ticket's result, keeping the refused selected", async () => {
    const refused = { id: 5, ok: false, code: "transition_not_allowed", detail: "No move." };
    const { fetch } = show(list([() => json(200, PAGE)], () => json(200, { results: [{ id: 7, ok: true }, refused] })));
    fireEvent.click(await screen.findByRole("checkbox", { name: "Select ticket #7" }));
    fireEvent.click(screen.getByRole("checkbox", { name: "Select ticket #5" }));
    const bar = screen.getByRole("region", { name: "Bulk actions" });
    expect(bar.textContent).toContain("2 selected");
    expect((screen.getByRole("checkbox", { name: "Select all tickets on this page" }) as HTMLInputElement).checked).toBe(true);
    fireEvent.change(within(bar).getByLabelText("New status"), { target: { value: "resolved" } });
    fireEvent.click(within(bar).getByRole("button", { name: "Move" }));

    const status = await screen.findByText("1 succeeded.", { exact: false });
    expect(sent(fetch, "/api/tickets/bulk")).toEqual([{ ids: [7, 5], action: { transition: "resolved" } }]);
    const region = status.closest("[role=status]") as HTMLElement;
    expect(region.textContent).toContain("1 refused:");
    expect(within(region).getByRole("link", { name: "#5 Printer jams" })).toBeTruthy();
    expect(region.textContent).toContain("the workflow has no such move from its status");
    await waitFor(() => expect(screen.getByRole("region", { name: "Bulk actions" }).textContent).toContain("1 selected"));
    expect((screen.getByRole("checkbox", { name: "Select ticket #5" }) as HTMLInputElement).checked).toBe(true);
    expect((screen.getByRole("checkbox", { name: "Select ticket #7" }) as HTMLInputElement).checked).toBe(false);
  });

  it("selects the current row with x and assigns it to me with a", async () => {
    const { fetch } = show(list([() => json(200, PAGE)], () => json(200, { results: [{ id: 5, ok: true }] })));
    const rows = await screen.findAllByRole("row");
    fireEvent.keyDown(document.body, { key: "j" });
    fireEvent.keyDown(document.body, { key: "j" });
    await waitFor(() => expect(rows[2]?.getAttribute("aria-current")).toBe("true"));
    fireEvent.keyDown(document.body, { key: "x" });
    await waitFor(() => expect((screen.getByRole("checkbox", { name: "Select ticket #5" }) as HTMLInputElement).checked).toBe(true));
    fireEvent.keyDown(screen.getByLabelText("Search"), { key: "x" });
    expect((screen.getByRole("checkbox", { name: "Select ticket #5" }) as HTMLInputElement).checked).toBe(true);
    fireEvent.keyDown(document.body, { key: "a" });
    expect(await screen.findByText("1 succeeded.", {}, { timeout: 3000 })).toBeTruthy();
    expect(sent(fetch, "/api/tickets/bulk")).toEqual([{ ids: [5], action: { assign: "u-admin" } }]);
  });

  it("lists the views with their counts, the one shown marked current, and opens one", async () => {
    const { fetch } = show(list([() => json(200, PAGE)]), "/tickets?assignee=none&active=true&sort=sla_due");
    const nav = await screen.findByRole("navigation", { name: "Views" });
    const unassigned = await within(nav).findByRole("link", { name: /^Unassigned/ });
    expect(unassigned.textContent).toContain("1,234");
    expect(unassigned.getAttribute("aria-current")).toBe("page");
    const mine = within(nav).getByRole("link", { name: /^Assigned to me ?3 ?tickets$/ });
    expect(mine.getAttribute("aria-current")).toBeNull();
    expect(within(nav).getByRole("button", { name: "Delete the view Urgent printers" })).toBeTruthy();
    expect(within(nav).queryByRole("button", { name: /Delete the view Assigned/ })).toBeNull();
    fireEvent.click(within(nav).getByRole("button", { name: "Save current filters as a view" }));
    fireEvent.change(within(nav).getByLabelText("Name of the view"), { target: { value: " Triage " } });
    fireEvent.click(within(nav).getByRole("button", { name: "Save view" }));
    expect(await within(nav).findByText("Saved the view “Triage”.")).toBeTruthy();
    const body = { name: "Triage", filters: { assignee: "none", active: true }, sort: "sla_due", shared: false };
    expect(sent(fetch, "/api/views")).toEqual([body]);
    fireEvent.click(within(nav).getByRole("link", { name: /^Urgent printers/ }));
    await waitFor(() => expect(window.location.search).toBe("?q=printer&priority=urgent"));
    expect(within(nav).getByRole("link", { name: /^Urgent printers/ }).getAttribute("aria-current")).toBe("page");
  });

  it("gives a requester no views, no checkboxes and no bulk keys", async () => {
    const requester = { id: "r1", username: "ada", display_name: "Ada", email: "a@example.com", is_active: true,
      is_admin: false, is_superuser: false, roles: ["user"], systems: {}, mfa_enabled: false, created_at: "2026-01-01T00:00:00Z" };
    show(list([() => json(200, PAGE)], undefined, requester));
    await screen.findAllByRole("row");
    expect(screen.queryByRole("checkbox", { name: /Select/ })).toBeNull();
    expect(screen.queryByRole("navigation", { name: "Views" })).toBeNull();
    fireEvent.keyDown(document.body, { key: "?" });
    expect(screen.getByRole("dialog").textContent).not.toContain("Select");
  });
});

describe("the queue in German", () => {
  afterEach(() => setTextLocale("en"));

  it("speaks German: headers, card labels, views and the bulk bar", async () => {
    setTextLocale("de");
    show(list([() => json(200, PAGE)]));
    expect(await screen.findByRole("columnheader", { name: /Priorität/ })).toBeTruthy();
    expect(screen.getByRole("link", { name: /^Mir zugewiesen/ })).toBeTruthy();
    fireEvent.click(screen.getByRole("checkbox", { name: "Ticket #7 auswählen" }));
    const bar = screen.getByRole("region", { name: "Sammelaktionen" });
    expect(bar.textContent).toContain("1 ausgewählt");
    expect(within(bar).getByRole("button", { name: "Mir zuweisen" })).toBeTruthy();
    expect(screen.getAllByText("In Bearbeitung").length).toBeGreaterThan(0);
    expect(document.querySelector('td[data-label="Angefragt von"]')).toBeTruthy();
  });
});
