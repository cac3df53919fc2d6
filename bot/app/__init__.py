"""One process's wiring and lifetime: settings, content, database, actions and the engine put together
(runtime.py), the checks before start (startup.py), housekeeping (maintenance.py), what is running (version.py)."""
