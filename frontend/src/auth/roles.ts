/**
 * What the signed-in user may do, from `/api/users/me` (the same facts the access token
 * carries). Mirrors docs/tickets.md: per-system roles user < agent < manager < admin;
 * global admins and superusers count as admin everywhere; a workflow transition lists
 * minimum roles plus the pseudo-role `requester`.
 */
import type { components } from "../api/schema";

type User = components["schemas"]["UserRead"];
type Workflow = components["schemas"]["WorkflowRead"];
type Ticket = Pick<components["schemas"]["TicketDetail"], "requester_id" | "status" | "system">;

export const SYSTEM_ROLES = ["user", "agent", "manager", "admin"] as const;
export type SystemRole = (typeof SYSTEM_ROLES)[number];

const RANK: Record<string, number> = { user: 0, agent: 1, manager: 2, admin: 3 };

export function isGlobalAdmin(user: User): boolean {
  return user.is_admin || user.is_superuser;
}

/** The user's effective role in `system`. */
export function roleIn(user: User, system: string): SystemRole {
  if (isGlobalAdmin(user)) return "admin";
  const role = user.systems[system];
  return typeof role === "string" && role in RANK ? (role as SystemRole) : "user";
}

export function atLeast(user: User, system: string, minimum: SystemRole): boolean {
  return (RANK[roleIn(user, system)] ?? 0) >= (RANK[minimum] ?? 99);
}

/** Staff of a system: may write internal notes and see them. */
export function isStaff(user: User, system: string): boolean {
  return atLeast(user, system, "agent");
}

/** Whether the user holds any staff role anywhere (shows staff-only filters). */
export function isStaffAnywhere(user: User): boolean {
  return isGlobalAdmin(user) || Object.values(user.systems).some((r) => (RANK[String(r)] ?? 0) > 0);
}

/** Whether the user administers any system (may edit its SLA policy). */
export function isSystemAdminAnywhere(user: User): boolean {
  return isGlobalAdmin(user) || Object.values(user.systems).some((r) => r === "admin");
}

/** The workflow moves out of the ticket's status that this user may make. */
export function allowedTransitions(user: User, ticket: Ticket, workflow: Workflow): string[] {
  const requester = ticket.requester_id === user.id;
  return workflow.transitions
    .filter((t) => t.from === ticket.status)
    .filter((t) =>
      t.roles.some((role) =>
        role === "requester" ? requester : atLeast(user, ticket.system, role as SystemRole),
      ),
    )
    .map((t) => t.to);
}
