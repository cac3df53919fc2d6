"""The shared database: models, engine and sessions, migrations, data functions."""
