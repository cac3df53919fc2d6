"""The project's one HTTP server: the staff dashboard (and, merged from issue 19, health and metrics)."""
