/**
 * Routes newer than the committed OpenAPI snapshot may be absent on a given deployment:
 * AI suggest (ai-assist), similar tickets and `ai_triage` (tickets). Their shapes are written
 * here by hand from those services' schemas, and the UI treats a 404 or 503 from them as
 * "not available" rather than as an error.
 */
import type { Api, Schemas } from "./client";

export type Priority = "low" | "medium" | "high" | "urgent";

/** `POST /api/ai/suggest` → 200. */
export interface Suggestion {
  title: string;
  category: string;
  priority: Priority;
  summary: string;
  confidence?: number | null;
  model: string;
}

/** `ai_triage` on a ticket's detail response, when the tickets service has it. */
export interface Triage {
  status: "pending" | "suggested" | "failed";
  category: string | null;
  priority: string | null;
  title: string | null;
  summary: string | null;
  confidence: number | null;
  model: string | null;
  possible_duplicates: number[];
  error: string | null;
  applied: string[];
  updated_at: string;
}

export type TicketDetail = Schemas["TicketRead"] & { ai_triage?: Triage | null };

export interface SimilarTicket {
  id: number;
  title: string;
  status: string;
  score: number;
}

export function suggest(api: Api, description: string, title?: string): Promise<Suggestion> {
  const body: Record<string, string> = { description };
  if (title && title.trim()) body.title = title.trim();
  return api.json<Suggestion>("/api/ai/suggest", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

/** Similar tickets, or null when this deployment has no such route (404 on the route). */
export async function similar(api: Api, ticketId: number): Promise<SimilarTicket[] | null> {
  const response = await api.send(`/api/tickets/${ticketId}/similar?limit=5`);
  if (response.status === 404 || response.status === 405) return null;
  if (!response.ok) return null;
  const data = (await response.json()) as { items?: SimilarTicket[] } | SimilarTicket[];
  return Array.isArray(data) ? data : (data.items ?? []);
}
