/**
 * Words for values that come as data: a ticket's state, its priority, a role. The shipped
 * ones have catalogue texts; a state a workflow made up is shown as written, tidied
 * ("needs_parts" → "Needs parts").
 */
import { hasText, t } from "./index";

export function humanise(value: string): string {
  const text = value.replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function label(area: string, value: string): string {
  const key = `common.${area}.${value}`;
  return hasText(key) ? t(key) : humanise(value);
}

export const stateLabel = (state: string): string => label("state", state);
export const priorityLabel = (priority: string): string => label("priority", priority);
export const roleLabel = (role: string): string => label("role", role);
