/**
 * The AI-related parts of the API: suggest (ai-assist), similar tickets and `ai_triage`
 * (tickets). Typed from the snapshot like the rest, but optional in practice: a deployment
 * without ai-assist answers 404/503, the model may be down (503), so the UI treats their
 * failures as "not available" instead of as errors to fix.
 */
import type { Api, Schemas } from "./client";
import { ApiError } from "./errors";

export type Priority = Schemas["TicketCreate"]["priority"];
export type Suggestion = Schemas["Suggestion"];
export type Triage = Schemas["TriageRead"];
export type TicketDetail = Schemas["TicketDetail"];
export type SimilarTicket = Schemas["SimilarPage"]["items"][number];

export function suggest(api: Api, description: string, title?: string): Promise<Suggestion> {
  const trimmed = title?.trim();
  return api.post("/api/ai/suggest", {
    body: trimmed ? { description, title: trimmed } : { description },
  });
}

/** Similar tickets, or null when this deployment cannot say (route or service missing). */
export async function similar(api: Api, ticketId: number): Promise<SimilarTicket[] | null> {
  try {
    const page = await api.get("/api/tickets/{ticket_id}/similar", {
      path: { ticket_id: ticketId },
      query: { limit: 5 },
    });
    return page.items;
  } catch (error) {
    if (error instanceof ApiError && [404, 405, 501, 503].includes(error.status)) return null;
    throw error;
  }
}
