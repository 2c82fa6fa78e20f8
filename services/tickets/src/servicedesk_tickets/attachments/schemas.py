"""What an attachment looks like in the API (its storage name never leaves the service)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from servicedesk_tickets.people.schemas import PersonRef


class AttachmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    filename: str
    content_type: str
    size: int
    sha256: str
    uploader_id: str
    uploaded_by: PersonRef | None = None
    created_at: datetime
