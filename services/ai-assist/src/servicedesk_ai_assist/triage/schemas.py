"""What triage reads of a ticket, from the event or from `POST /internal/triage`."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from servicedesk_shared.types import BigId, Strict, text

Title = text(max_length=200)
Description = text(max_length=20_000)


class TicketText(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: BigId
    title: Title = ""
    description: Description = ""

    def prompt_text(self) -> str:
        return f"Title: {self.title}\n\n{self.description}"


class TriageRequest(Strict):
    """`POST /internal/triage`: the ticket as the caller read it."""

    ticket_id: BigId
    title: Title
    description: Description

    def ticket(self) -> TicketText:
        return TicketText(id=self.ticket_id, title=self.title, description=self.description)
