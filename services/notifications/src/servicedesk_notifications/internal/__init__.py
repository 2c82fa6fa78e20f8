"""Service-to-service calls on the service's own port (never through the gateway)."""
