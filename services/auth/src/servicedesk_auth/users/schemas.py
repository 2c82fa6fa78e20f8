"""What clients send and get about users. Unknown fields are refused (422), so nobody can
slip `is_admin`, `roles` or `id` into a registration or an update."""

from __future__ import annotations

import unicodedata
import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, EmailStr, Field
from pydantic_core import PydanticCustomError

from servicedesk_auth.passwords.policy import MAX_LENGTH, MIN_LENGTH
from servicedesk_shared.types import Limit, Offset, Omittable, Patch, Strict, Text, known_sort, text

Username = text(3, 150, pattern=r"^[A-Za-z0-9_.@+-]+$")
# The policy enforces the lengths (a 422 listing every rule broken, not only the first);
# the schema states them, and the rules no schema can (common, numeric, too similar).
NewPassword = Annotated[
    Text,
    Field(
        json_schema_extra={"minLength": MIN_LENGTH, "maxLength": MAX_LENGTH},
        description=f"{MIN_LENGTH} to {MAX_LENGTH} characters; not a common password, "
        "not entirely numeric, not too similar to the username or e-mail",
    ),
]


def _no_control_characters(value: Any) -> Any:
    """Refuse Unicode control characters (category Cc: tabs, newlines, DEL, C1 codes), also
    at the edges, before spaces are trimmed."""
    if isinstance(value, str) and any(unicodedata.category(char) == "Cc" for char in value):
        raise PydanticCustomError("string_control_character", "must not contain control characters")
    return value


# 1 to 100 characters after trimming spaces; no control characters.
DisplayName = Annotated[
    text(1, 100, strip=True),
    BeforeValidator(_no_control_characters),
    Field(description="1 to 100 characters, no control characters; unset: the username"),
]
# Up to 65,536 characters, so a password set before a lower cap still signs in.
Password = Annotated[Text, Field(max_length=65536)]


class UserCreate(Strict):
    username: Username
    email: EmailStr
    password: NewPassword


class UserUpdate(Patch):
    """Only the fields sent change; `null` is not a value any of them may take."""

    email: Omittable[EmailStr] = None
    display_name: Omittable[DisplayName] = None
    is_active: Omittable[bool] = None
    is_admin: Omittable[bool] = None
    is_superuser: Omittable[bool] = None


class ProfileUpdate(Patch):
    """What a user may change about themselves here: the name people see."""

    display_name: DisplayName


class PasswordChange(Strict):
    current_password: Password
    new_password: NewPassword


class UserCore(BaseModel):
    """Who a user is and their global flags: the start of every body that describes one."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    username: str
    email: str
    display_name: str
    is_active: bool
    is_admin: bool
    is_superuser: bool


class UserRead(UserCore):
    roles: list[str]
    systems: dict[str, str]
    mfa_enabled: bool
    created_at: datetime


class UserPage(BaseModel):
    items: list[UserRead]
    total: int


Search = text(1, 100)
USER_SORT_KEYS = ("created_at", "username", "display_name", "email")
UserSort = Literal[
    "created_at",
    "-created_at",
    "username",
    "-username",
    "display_name",
    "-display_name",
    "email",
    "-email",
]


class UserListParams(Strict):
    """`GET /api/users`: unknown parameters are refused (422 naming each)."""

    limit: Limit = 50
    offset: Offset = 0
    q: Search | None = Field(None, description="Part of a username, e-mail or name")
    sort: Annotated[
        UserSort,
        known_sort(USER_SORT_KEYS),
        Field(
            description="`created_at` (sign-up), `username`, `display_name` (the name people "
            "see), `email`; `-` for descending. Default: newest first. Ties by id."
        ),
    ] = "-created_at"
