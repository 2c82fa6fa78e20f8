"""Users and the hashes of their recent passwords."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servicedesk_auth.database import Base, utcnow

if TYPE_CHECKING:
    from servicedesk_auth.mfa.models import TotpDevice
    from servicedesk_auth.roles.models import SystemRole


def role_names(*, is_admin: bool, is_superuser: bool) -> list[str]:
    """Global role names: `user` always, then `admin` and `superuser` when held."""
    return ["user"] + ["admin"] * is_admin + ["superuser"] * is_superuser


class User(Base):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    username: Mapped[str] = mapped_column(String(150))
    email: Mapped[str] = mapped_column(String(320))
    password_hash: Mapped[str]
    is_active: Mapped[bool] = mapped_column(default=True)
    is_admin: Mapped[bool] = mapped_column(default=False)
    is_superuser: Mapped[bool] = mapped_column(default=False)
    token_version: Mapped[int] = mapped_column(Integer, default=0)
    token_version_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # None: the username stands in (see `display_name`).
    chosen_display_name: Mapped[str | None] = mapped_column("display_name", String(100))
    # Bumped with every change published as `user.updated` or `user.roles_changed`.
    directory_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    system_roles: Mapped[list[SystemRole]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="SystemRole.system"
    )
    totp: Mapped[TotpDevice | None] = relationship(lazy="joined", cascade="all, delete-orphan")

    @property
    def roles(self) -> list[str]:
        return role_names(is_admin=self.is_admin, is_superuser=self.is_superuser)

    @property
    def display_name(self) -> str:
        """The name people see: the one chosen, else the username."""
        return self.chosen_display_name or self.username

    @display_name.setter
    def display_name(self, value: str | None) -> None:
        self.chosen_display_name = value

    @property
    def systems(self) -> dict[str, str]:
        return {r.system: r.role for r in self.system_roles}

    @property
    def mfa_enabled(self) -> bool:
        return self.totp is not None and self.totp.confirmed_at is not None


# Case-insensitive uniqueness: `Alice` and `alice` are one account.
Index("uq_users_username_lower", func.lower(User.username), unique=True)
Index("uq_users_email_lower", func.lower(User.email), unique=True)


class PasswordHistory(Base):
    __tablename__ = "password_history"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    password_hash: Mapped[str]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
