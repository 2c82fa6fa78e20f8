/** People by name (contract §12): the display name, the username on hover, never an id. */
import type { Schemas } from "../api/client";
import { t } from "../i18n";

export type PersonRef = Schemas["PersonRef"];

/** "Unknown user", in the reader's language. */
export const unknownPerson = (): string => t("ticket.person.unknown");

/** The name to show for a person object; "Unknown user" when there is none to show. */
export function personName(person: PersonRef | null | undefined): string {
  return person?.display_name?.trim() || person?.username?.trim() || unknownPerson();
}

interface Props {
  person: PersonRef | null | undefined;
  /** Shown when `person` is null (e.g. "Nobody" for an unassigned ticket). */
  none?: string;
}

export function PersonName({ person, none }: Props) {
  if (!person) return <span className="person unknown">{none ?? unknownPerson()}</span>;
  const name = personName(person);
  return (
    <span className="person" title={person.username ? `@${person.username}` : undefined}>
      {name}
    </span>
  );
}
