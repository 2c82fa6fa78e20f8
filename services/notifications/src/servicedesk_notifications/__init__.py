"""The notifications service: consumes the events of §6 and tells people what happened.

    consumers/   one module per subscribed event type; all run in the consumer's transaction
    inbox/       the in-app inbox (§7): models, schemas, service, router
    directory/   user id -> e-mail address, learnt from `user.registered`
    email/       pending e-mails and the SMTP sender that delivers them
    webhooks/    admin-registered, signed webhooks: SSRF checks, dispatcher, delivery log
    internal/    POST /internal/notifications behind X-API-Key (service-to-service)

`main.py` wires them into `create_app(settings)`.
"""
