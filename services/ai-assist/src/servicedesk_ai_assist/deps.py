"""Request dependencies as `Annotated` aliases: the runtime, the transaction, the caller,
and the service-to-service key check (`servicedesk_shared.deps`, shared by every
service)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from servicedesk_ai_assist.runtime import Runtime
from servicedesk_shared.deps import CurrentPrincipal as CurrentPrincipal
from servicedesk_shared.deps import SessionDep as SessionDep
from servicedesk_shared.deps import api_key_check, get_runtime

RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
require_api_key = api_key_check("AI_ASSIST_API_KEYS")
