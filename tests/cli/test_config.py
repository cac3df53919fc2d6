"""Settings: config.yml, environment overrides and start-up errors that name the key."""

from __future__ import annotations

import logging

import pytest

from bot.config import ConfigError, load_settings
from tests.auxil.cli import ROOT, aliat

CONFIG = ROOT / "config.yml"


def test_defaults_from_config_yml() -> None:
    settings = load_settings(CONFIG, env={})
    assert settings.default_language == "ca"
    assert settings.languages == ("ca", "es", "en")
    assert settings.resolved_database_url().endswith("/data/aliat.db")
    assert settings.telegram_token == ""


def test_environment_overrides() -> None:
    settings = load_settings(CONFIG, env={
        "ALIAT_DEFAULT_LANGUAGE": "es",
        "ALIAT_HANDOFF__REMINDER_UNCLAIMED_HOURS": "12",
        "ALIAT_FACILITATOR_CHAT_ID": "-100123",
        "ALIAT_DATABASE_URL": "postgresql+asyncpg://u@h/db",
        "TELEGRAM_BOT_TOKEN": "123:abc",
        "ALIAT_ACTION_ENDPOINT": "http://127.0.0.1:5055/webhook",
    })
    assert settings.default_language == "es"
    assert settings.handoff.reminder_unclaimed_hours == 12.0
    assert settings.handoff.facilitator_chat_id == "-100123"
    assert settings.database_url == "postgresql+asyncpg://u@h/db"
    assert settings.telegram_token == "123:abc"
    assert settings.actions.endpoint == "http://127.0.0.1:5055/webhook"


@pytest.mark.parametrize(("env", "key"), [
    ({"ALIAT_DEFAULT_LANGUAGE": "fr"}, "default_language"),
    ({"ALIAT_LANGUAGES": "ca,de"}, "languages"),
    ({"ALIAT_DATABASE_URL": "mysql://x"}, "database_url"),
    ({"ALIAT_HANDOFF__MIN_READINESS": "nine"}, "ALIAT_HANDOFF__MIN_READINESS"),
    ({"ALIAT_HANDOFF__MIN_READINESS": "9"}, "handoff.min_readiness"),
    ({"ALIAT_TELEGRAM__WEBHOOK_PORT": "70000"}, "telegram.webhook_port"),
    ({"ALIAT_TELEGRAM__RATE_LIMIT": "maybe"}, "ALIAT_TELEGRAM__RATE_LIMIT"),
    ({"ALIAT_FACILITATOR_CHAT_ID": "the group"}, "handoff.facilitator_chat_id"),
    ({"ALIAT_ACTION_ENDPOINT": "ftp://x"}, "actions.endpoint"),
    ({"ALIAT_TELEGRAM__FLOOD_MAX_PER_MINUTE": "-1"}, "telegram.flood_max_per_minute"),
    ({"ALIAT_TELEGRAM__DRAIN_SECONDS": "-5"}, "telegram.drain_seconds"),
])
def test_wrong_values_name_the_key(env, key) -> None:
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load_settings(CONFIG, env=env)


def test_wrong_config_file(tmp_path) -> None:
    bad = tmp_path / "config.yml"
    bad.write_text("conversation:\n  max_event: 3\n")
    with pytest.raises(ConfigError, match=r"conversation\.max_event: unknown setting"):
        load_settings(bad, env={})
    bad.write_text("telegram_token: secret\n")
    with pytest.raises(ConfigError, match="telegram_token"):
        load_settings(bad, env={})
    bad.write_text("languages: [ca\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_settings(bad, env={})
    with pytest.raises(ConfigError, match="ALIAT_CONFIG"):
        load_settings(env={"ALIAT_CONFIG": str(tmp_path / "missing.yml")})


def test_wrong_setting_stops_start_up_with_its_name(sqlite_url) -> None:
    result = aliat("chat", database_url=sqlite_url, stdin="/start\n", ALIAT_DEFAULT_LANGUAGE="xx")
    assert result.returncode == 2
    assert "default_language" in result.stderr
    assert "Traceback" not in result.stderr


def test_flood_guard_and_drain_defaults() -> None:
    telegram = load_settings(CONFIG, env={}).telegram
    assert telegram.flood_max_per_minute == 30 and telegram.drain_seconds == 10


def test_the_config_schema_in_docs_is_current() -> None:
    """docs/config.schema.json is what editors check config.yml against: `python -m bot.config` rewrites it."""
    import json

    from bot.config import SCHEMA_PATH, config_schema

    written = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert written == config_schema(), "run: python -m bot.config > docs/config.schema.json"
    assert "telegram_token" not in config_schema()["properties"]  # secrets are the environment's


def test_a_stray_variable_is_not_a_setting_and_a_boolean_is_not_a_number(tmp_path) -> None:
    assert load_settings(CONFIG, env={"ALIAT_WEB__PORTS": "1", "ALIAT_TEST_DATABASE_URL": "x"}).web.port == 8088
    bad = tmp_path / "config.yml"
    bad.write_text("conversation:\n  max_events: yes\n")
    with pytest.raises(ConfigError, match=r"conversation\.max_events"):
        load_settings(bad, env={})


def test_the_old_notifier_section_is_read_as_delivery_with_a_warning(tmp_path, caplog) -> None:
    """`notifier:` was renamed `delivery:` (2026-12): a config.yml or variable still using it keeps working
    for one release, and start-up says what to rename; `delivery:` wins on a key set in both."""
    old = tmp_path / "config.yml"
    old.write_text("notifier:\n  retry_base_seconds: 3\n  max_attempts: 9\ndelivery:\n  max_attempts: 4\n")
    with caplog.at_level(logging.WARNING, "bot.config"):
        settings = load_settings(old, env={"ALIAT_NOTIFIER__POLL_INTERVAL_SECONDS": "7"})
    assert (settings.delivery.retry_base_seconds, settings.delivery.max_attempts) == (3, 4)
    assert settings.delivery.poll_interval_seconds == 7
    assert "`notifier:` is deprecated, renamed `delivery:`" in caplog.text
    assert "ALIAT_NOTIFIER__POLL_INTERVAL_SECONDS is deprecated" in caplog.text
    old.write_text("notifier:\n  retry_base_seconds: 30\n  retry_max_seconds: 10\n")
    with pytest.raises(ConfigError, match=r"delivery\.retry_max_seconds: must be at least retry_base_seconds"):
        load_settings(old, env={})
    caplog.clear()
    with caplog.at_level(logging.WARNING, "bot.config"):
        load_settings(CONFIG, env={})
    assert "deprecated" not in caplog.text  # the project's own config.yml uses the new name
