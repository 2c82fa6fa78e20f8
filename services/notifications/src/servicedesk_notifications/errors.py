"""The notifications service's errors, all mapped by `servicedesk_shared.errors` to one
JSON shape, `{"detail": "...", "code": "..."}`.

    ServiceError (shared)
    ├── Unauthorized 401
    │   └── ApiKeyInvalid          invalid_api_key   shared (apikeys): bad X-API-Key
    ├── Forbidden 403
    │   └── AdminsOnly             forbidden         webhooks are for global admins
    ├── NotFound 404
    │   ├── NotificationNotFound   not_found         unknown, or someone else's
    │   └── WebhookNotFound        not_found         unknown or deleted
    └── Unprocessable 422
        └── UnsafeWebhookUrl       unsafe_url        scheme, unresolvable host, or an
                                                     address refused by the SSRF rules
"""

from __future__ import annotations

from servicedesk_shared.errors import Forbidden, NotFound, ServiceError, Unprocessable

__all__ = ["ServiceError"]


class AdminsOnly(Forbidden, detail="Administrators only"): ...


class NotificationNotFound(NotFound, detail="Notification not found"): ...


class WebhookNotFound(NotFound, detail="Webhook not found"): ...


class UnsafeWebhookUrl(
    Unprocessable, code="unsafe_url", detail="The webhook URL is not allowed"
): ...
