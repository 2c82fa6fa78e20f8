"""AI assist: suggestions while filing and background triage, through Ollama."""
