import { describe, expect, it } from "vitest";
import type { Schemas } from "../api/client";
import { allowedTransitions, isStaff, roleIn } from "./roles";

const base: Schemas["UserRead"] = {
  id: "u1", username: "ada", display_name: "Ada", email: "ada@example.com", is_active: true, is_admin: false,
  is_superuser: false, roles: ["user"], systems: {}, mfa_enabled: false, created_at: "2026-01-01T00:00:00Z",
};
const user = (over: Partial<Schemas["UserRead"]>) => ({ ...base, ...over });
const workflow: Schemas["WorkflowRead"] = {
  system: "TTS",
  initial: "open",
  states: [
    { name: "open", terminal: false, pauses_sla: false },
    { name: "in_progress", terminal: false, pauses_sla: false },
    { name: "resolved", terminal: false, pauses_sla: false },
    { name: "closed", terminal: true, pauses_sla: false },
  ],
  transitions: [
    { from: "open", to: "in_progress", roles: ["agent"] },
    { from: "open", to: "closed", roles: ["requester", "agent"] },
    { from: "resolved", to: "open", roles: ["requester"] },
  ],
};
const ticket = (over: Partial<Schemas["TicketDetail"]> = {}): Schemas["TicketDetail"] => ({
  id: 1, title: "VPN down", description: "d", status: "open", priority: "high", category: null,
  system: "TTS", requester_id: "u1", assignee_id: null, created_at: "", updated_at: "", ai_triage: null, ...over,
});

describe("allowedTransitions", () => {
  it("offers the requester only the requester's moves", () => {
    expect(allowedTransitions(user({}), ticket(), workflow)).toEqual(["closed"]);
  });
  it("offers an agent of the system the agent moves, not the requester-only ones", () => {
    const agent = user({ id: "u2", systems: { TTS: "agent" } });
    expect(allowedTransitions(agent, ticket(), workflow)).toEqual(["in_progress", "closed"]);
    expect(allowedTransitions(agent, ticket({ status: "resolved" }), workflow)).toEqual([]);
  });
  it("offers nothing to an agent of another system", () => {
    const other = user({ id: "u3", systems: { HDTS: "manager" } });
    expect(allowedTransitions(other, ticket(), workflow)).toEqual([]);
  });
  it("treats global admins as admins of every system", () => {
    const admin = user({ id: "u4", is_admin: true });
    expect(roleIn(admin, "TTS")).toBe("admin");
    expect(isStaff(admin, "HDTS")).toBe(true);
    expect(allowedTransitions(admin, ticket(), workflow)).toEqual(["in_progress", "closed"]);
  });
});
