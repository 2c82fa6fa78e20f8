/** Which moves to offer and in what order; who may edit a ticket's content (as the API decides). */
import type { Schemas } from "../../api/client";
import { isStaff } from "../../auth/roles";

type Workflow = Schemas["WorkflowRead"];
type User = Schemas["UserRead"];

export interface Moves {
  /** Moves to non-terminal states, in the order the workflow lists its states. */
  regular: string[];
  /** Moves that end the ticket (a terminal state): shown apart, confirmed first. */
  terminal: string[];
}

export function orderMoves(moves: string[], workflow: Workflow): Moves {
  const rank = new Map(workflow.states.map((s, i) => [s.name, i]));
  const terminal = new Set(workflow.states.filter((s) => s.terminal).map((s) => s.name));
  const sorted = [...new Set(moves)].sort(
    (a, b) => (rank.get(a) ?? Number.MAX_SAFE_INTEGER) - (rank.get(b) ?? Number.MAX_SAFE_INTEGER),
  );
  return {
    regular: sorted.filter((m) => !terminal.has(m)),
    terminal: sorted.filter((m) => terminal.has(m)),
  };
}

/**
 * Title, priority and category: staff of the ticket's system always; the requester while
 * the ticket is still in the workflow's first state (access.py `editable_fields`).
 */
export function mayEditContent(
  user: User,
  ticket: { system: string; status: string; requester_id: string },
  workflow: Workflow | undefined,
): boolean {
  if (isStaff(user, ticket.system)) return true;
  return ticket.requester_id === user.id && workflow !== undefined && ticket.status === workflow.initial;
}
