"""What triage reads of a ticket, from the event or from `POST /internal/triage`."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


class TicketText(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: Annotated[int, Field(ge=1, le=2**63 - 1)]
    title: Annotated[str, StringConstraints(max_length=200)] = ""
    description: Annotated[str, StringConstraints(max_length=20_000)] = ""

    def prompt_text(self) -> str:
        return f"Title: {self.title}\n\n{self.description}"


class TriageRequest(BaseModel):
    """`POST /internal/triage`: the ticket as the caller read it."""

    model_config = ConfigDict(extra="forbid")

    ticket_id: Annotated[int, Field(ge=1, le=2**63 - 1)]
    title: Annotated[str, StringConstraints(max_length=200)]
    description: Annotated[str, StringConstraints(max_length=20_000)]

    def ticket(self) -> TicketText:
        return TicketText(id=self.ticket_id, title=self.title, description=self.description)
