import { describe, expect, it } from "vitest";
import { ME } from "../../test/signedIn";
import { changes } from "./EditTicket";
import { mayEditContent, orderMoves } from "./moves";

const WORKFLOW = {
  system: "TTS",
  initial: "open",
  states: ["open", "in_progress", "waiting", "resolved", "closed"].map((name) => ({
    name, terminal: name === "closed", pauses_sla: name === "waiting",
  })),
  transitions: [],
};
const user = (systems: Record<string, string>, id = "u1") => ({ ...ME, id, is_admin: false, is_superuser: false, roles: ["user"], systems });

describe("orderMoves", () => {
  it("orders moves as the workflow lists its states and sets terminal ones apart", () => {
    expect(orderMoves(["closed", "resolved", "in_progress", "closed"], WORKFLOW)).toEqual({
      regular: ["in_progress", "resolved"],
      terminal: ["closed"],
    });
  });
});

describe("mayEditContent", () => {
  const ticket = { system: "TTS", status: "open", requester_id: "u1" };
  it("lets staff edit, and the requester only while the ticket is in its first state", () => {
    expect(mayEditContent(user({ TTS: "agent" }, "u9"), { ...ticket, status: "resolved" }, WORKFLOW)).toBe(true);
    expect(mayEditContent(user({}), ticket, WORKFLOW)).toBe(true);
    expect(mayEditContent(user({}), { ...ticket, status: "in_progress" }, WORKFLOW)).toBe(false);
    expect(mayEditContent(user({}, "u2"), ticket, WORKFLOW)).toBe(false);
    expect(mayEditContent(user({}), ticket, undefined)).toBe(false);
  });
});

describe("changes", () => {
  const t = { id: 1, title: "Printer jams", priority: "low", category: null } as never;
  it("sends only what changed; an emptied category is none", () => {
    expect(changes(t, { title: " Printer jams ", priority: "low", category: "" })).toEqual({});
    expect(changes(t, { title: "Printer jams a lot", priority: "high", category: " print " })).toEqual({
      title: "Printer jams a lot", priority: "high", category: "print",
    });
    const withCategory = { ...(t as object), category: "print" } as never;
    expect(changes(withCategory, { title: "Printer jams", priority: "low", category: "" })).toEqual({ category: null });
  });
});
