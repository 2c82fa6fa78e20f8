"""Ollama's HTTP API (`/api/chat`, `/api/tags`) and the circuit breaker in front of it."""
