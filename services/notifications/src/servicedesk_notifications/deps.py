"""Request dependencies as `Annotated` aliases: the runtime, the transaction, the caller
(`servicedesk_shared.deps`, shared by every service), the admin check and the id in the path.

`SessionDep` is the request's one transaction: it commits after the handler returns and
before the response is sent.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from servicedesk_notifications.errors import AdminsOnly
from servicedesk_notifications.runtime import Runtime
from servicedesk_shared.deps import CurrentPrincipal, api_key_check, get_runtime
from servicedesk_shared.deps import SessionDep as SessionDep
from servicedesk_shared.logging import security_event
from servicedesk_shared.principal import Principal

MAX_BIGINT = 2**63 - 1

RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
require_api_key = api_key_check("NOTIFICATION_API_KEYS")


async def admin_principal(request: Request, principal: CurrentPrincipal) -> Principal:
    """Global admins and superusers; anyone else gets 403 and a security event."""
    if not principal.is_admin:
        security_event("access_denied", user_id=principal.id, path=request.url.path)
        raise AdminsOnly()
    return principal


AdminPrincipal = Annotated[Principal, Depends(admin_principal)]

NotificationId = Annotated[int, Path(ge=1, le=MAX_BIGINT, description="The notification's id")]
