"""`/internal/tickets`: tickets for other services' batch jobs, behind X-API-Key."""
