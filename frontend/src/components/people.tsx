/** People by name (contract §12): the display name, the username on hover, never an id. */
import type { Schemas } from "../api/client";

export type PersonRef = Schemas["PersonRef"];

export const UNKNOWN = "Unknown user";

/** The name to show for a person object; "Unknown user" when there is none to show. */
export function personName(person: PersonRef | null | undefined): string {
  return person?.display_name?.trim() || person?.username?.trim() || UNKNOWN;
}

interface Props {
  person: PersonRef | null | undefined;
  /** Shown when `person` is null (e.g. "Nobody" for an unassigned ticket). */
  none?: string;
}

export function PersonName({ person, none = UNKNOWN }: Props) {
  if (!person) return <span className="person unknown">{none}</span>;
  const name = personName(person);
  return (
    <span className="person" title={person.username ? `@${person.username}` : undefined}>
      {name}
    </span>
  );
}
