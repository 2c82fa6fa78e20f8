"""`POST /api/token` on asyncpg: sign in without a session, and without holding a database
connection while the password is hashed.

The account (its confirmed TOTP device and its system roles joined) is read in one
prepared statement on a connection borrowed for that read alone. The Argon2 verify (tens
of milliseconds, queued behind the hashing threads) holds no connection. The writes of a
successful sign-in (the TOTP step used up, a hash upgrade, the refresh token) are one short
transaction on a second borrowed connection (no transaction when the refresh token is the
only write, as it is for most sign-ins). The session path held a connection in an open
transaction across the verify and cost ~5 ms of SQLAlchemy per login (docs/performance.md).

Wrong user, wrong password and inactive user fail alike (same body, a real or dummy
Argon2 verify each). TOTP is asked for only after the password is right.
"""

from __future__ import annotations

import uuid
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass

import asyncpg
from sqlalchemy import bindparam, func, insert, or_, select, update

from servicedesk_auth.database import utcnow
from servicedesk_auth.errors import InvalidCredentials, MfaInvalid, MfaRequired
from servicedesk_auth.metrics import LOGIN_FAILURES
from servicedesk_auth.mfa import service as mfa
from servicedesk_auth.mfa.models import TotpDevice
from servicedesk_auth.roles.models import SystemRole
from servicedesk_auth.runtime import Runtime
from servicedesk_auth.sessions.models import RefreshToken
from servicedesk_auth.sessions.schemas import LoginRequest, TokenPair
from servicedesk_auth.sessions.throttle import LoginThrottle
from servicedesk_auth.sessions.tokens import mint_pair
from servicedesk_auth.users.models import User, role_names
from servicedesk_shared.deps import Borrow
from servicedesk_shared.logging import security_event
from servicedesk_shared.reads import Prepared

_LOGIN = bindparam("login")
_BY_USERNAME = func.lower(User.username) == _LOGIN
# By username, else by email (both case-insensitive); a username match wins.
_ACCOUNT_ID = (
    select(User.id)
    .where(or_(_BY_USERNAME, func.lower(User.email) == _LOGIN))
    .order_by(_BY_USERNAME.desc())
    .limit(1)
    .scalar_subquery()
)
# One row per system role (one with null roles when there is none), in the entity's order.
_ACCOUNT = Prepared(
    select(
        User.id,
        User.username,
        User.email,
        User.password_hash,
        User.is_active,
        User.is_admin,
        User.is_superuser,
        User.token_version,
        TotpDevice.secret,
        TotpDevice.confirmed_at,
        SystemRole.system,
        SystemRole.role,
    )
    .outerjoin(TotpDevice, TotpDevice.user_id == User.id)
    .outerjoin(SystemRole, SystemRole.user_id == User.id)
    .where(User.id == _ACCOUNT_ID)
    .order_by(SystemRole.system)
)
_REHASH = Prepared(
    update(User.__table__)
    .where(User.id == bindparam("user_id"))
    .values(password_hash=bindparam("new_hash"), updated_at=bindparam("now"))
)
_STORE_REFRESH = Prepared(
    insert(RefreshToken.__table__).values(
        {name: bindparam(name) for name in ("jti", "family", "user_id", "expires_at", "created_at")}
    )
)


@dataclass(frozen=True)
class Totp:
    """A confirmed TOTP device, as `mfa.consume_on` reads it."""

    user_id: uuid.UUID
    secret: str


@dataclass(frozen=True)
class Account:
    """What a sign-in reads of a user: what the password check and the tokens need
    (`tokens.access_claims_for`), with TOTP only when it is on."""

    id: uuid.UUID
    username: str
    email: str
    password_hash: str
    is_active: bool
    is_admin: bool
    is_superuser: bool
    token_version: int
    systems: dict[str, str]
    totp: Totp | None

    @property
    def roles(self) -> list[str]:
        return role_names(is_admin=self.is_admin, is_superuser=self.is_superuser)


async def read_account(conn: asyncpg.Connection, *, login: str) -> Account | None:
    """The account `login` names (username or email), else None."""
    rows = await _ACCOUNT.fetch(conn, login=login.strip().lower())
    if not rows:
        return None
    first = rows[0]
    confirmed = first["confirmed_at"] is not None
    return Account(
        id=first["id"],
        username=first["username"],
        email=first["email"],
        password_hash=first["password_hash"],
        is_active=first["is_active"],
        is_admin=first["is_admin"],
        is_superuser=first["is_superuser"],
        token_version=first["token_version"],
        systems={r["system"]: r["role"] for r in rows if r["system"] is not None},
        totp=Totp(first["id"], first["secret"]) if confirmed else None,
    )


async def _fail(
    throttle: LoginThrottle, key: str, form: LoginRequest, ip: str, reason: str
) -> None:
    LOGIN_FAILURES.labels(reason).inc()
    security_event("login_failed", username=form.username, ip=ip, reason=reason)
    if reason != "mfa_required":
        await throttle.failed(key)


async def _password_account(
    runtime: Runtime, found: Account | None, form: LoginRequest
) -> Account | None:
    """The active account whose password this is, else None, at the same cost either way."""
    if found is None:
        await runtime.hasher.dummy_verify(form.password)
        return None
    if not await runtime.hasher.verify(found.password_hash, form.password):
        return None
    return found if found.is_active else None


async def _upgraded_hash(runtime: Runtime, account: Account, password: str) -> str | None:
    """New Argon2 parameters or a legacy PBKDF2 hash: a fresh hash of the same password."""
    if runtime.hasher.needs_rehash(account.password_hash):
        return await runtime.hasher.hash(password)
    return None


async def _write(
    conn: asyncpg.Connection,
    *,
    runtime: Runtime,
    account: Account,
    otp: str | None,
    new_hash: str | None,
    refresh: dict,
) -> bool:
    """The sign-in's writes in the caller's transaction; False (nothing to keep) when the
    TOTP code is wrong or was used already."""
    totp = account.totp
    if totp and not await mfa.consume_on(conn, device=totp, otp=otp or "", cipher=runtime.totp):
        return False
    if new_hash is not None:
        await _REHASH.execute(conn, user_id=account.id, new_hash=new_hash, now=utcnow())
    await _STORE_REFRESH.execute(conn, **refresh)
    return True


def _atomic(conn: asyncpg.Connection, more_than_one_write: object) -> AbstractAsyncContextManager:
    """A transaction when the sign-in writes more than its refresh token (a TOTP step, a
    new hash: all or none of them); a lone INSERT is atomic on its own and spares the
    BEGIN and COMMIT round trips."""
    return conn.transaction() if more_than_one_write else nullcontext()


async def login(connections: Borrow, *, runtime: Runtime, form: LoginRequest, ip: str) -> TokenPair:
    throttle = LoginThrottle(runtime.redis, runtime.keys)
    async with connections() as conn:
        found = await read_account(conn, login=form.username)
    key = throttle.key(user_id=found.id if found else None, typed=form.username)
    failures = await throttle.wait(key)
    account = await _password_account(runtime, found, form)
    if account is None:
        await _fail(throttle, key, form, ip, "invalid_credentials")
        raise InvalidCredentials()
    if account.totp is not None and not form.otp:
        await _fail(throttle, key, form, ip, "mfa_required")
        raise MfaRequired()
    new_hash = await _upgraded_hash(runtime, account, form.password)
    pair, refresh = mint_pair(runtime, user=account)
    async with connections() as conn, _atomic(conn, account.totp or new_hash):
        signed_in = await _write(
            conn, runtime=runtime, account=account, otp=form.otp, new_hash=new_hash, refresh=refresh
        )
    if not signed_in:
        await _fail(throttle, key, form, ip, "mfa_invalid")
        raise MfaInvalid()
    await throttle.succeeded(key, failures=failures)
    security_event("login_succeeded", user_id=str(account.id), ip=ip)
    return pair
