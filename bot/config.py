"""Settings: config.yml, overridden by the environment, validated once at start-up."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from bot import yamlio
from bot.formats import time_zone
from bot.languages import SUPPORTED_LANGUAGES

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(Exception):
    """A setting is missing or wrong; the message names it."""


@dataclass(frozen=True)
class PathsSettings:
    dialogues: str = "dialogues"
    knowledge: str = "knowledge"


@dataclass(frozen=True)
class ConversationSettings:
    max_events: int = 20
    offer_human_after_misunderstandings: int = 2
    max_text_length: int = 2000
    max_refusals_per_question: int = 2


@dataclass(frozen=True)
class ActionsSettings:
    endpoint: str = ""
    timeout_seconds: float = 10


@dataclass(frozen=True)
class TelegramSettings:
    rate_limit: bool = True
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    webhook_path: str = "telegram"
    max_send_retries: int = 5
    polling_timeout_seconds: int = 10
    http_client: str = "aiohttp"
    flood_max_per_minute: int = 30
    drain_seconds: float = 10


@dataclass(frozen=True)
class HandoffSettings:
    facilitator_chat_id: str = ""
    min_readiness: float = 2.5
    require_objective: bool = True
    require_partner_in_mind: bool = False
    reminder_unclaimed_hours: float = 24
    reminder_no_contact_days: float = 3
    consent_version: str = "2026-11"
    notify_private: bool = False


@dataclass(frozen=True)
class NotifierSettings:
    poll_interval_seconds: float = 2
    retry_base_seconds: float = 2
    retry_max_seconds: float = 600
    max_attempts: int = 0


@dataclass(frozen=True)
class RetentionSettings:
    conversation_days: int = 365
    workshop_days: int = 30


@dataclass(frozen=True)
class AllianceTargetSettings:
    """The programme's target: 8 new alliances with different aims (ids of knowledge/objectives.yml)."""

    innovation: int = 2
    public_contracting: int = 2
    integral_attention: int = 2
    efficiency: int = 2


@dataclass(frozen=True)
class ProgrammeSettings:
    time_zone: str = "Europe/Madrid"  # dates and times staff read are shown in this zone
    alliance_target: AllianceTargetSettings = field(default_factory=AllianceTargetSettings)


@dataclass(frozen=True)
class LoggingSettings:
    level: str = "INFO"
    format: str = "text"  # text, or json: one object a line (bot/logs.py)


@dataclass(frozen=True)
class WebSettings:
    """The one HTTP server: the staff dashboard and the operations endpoints (bot/web)."""

    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = 8088
    base_url: str = ""  # the dashboard's public address, for the login links the bot sends
    session_idle_minutes: int = 60  # a dashboard session ends after this long without a request


@dataclass(frozen=True)
class OpsSettings:
    """Health, readiness and metrics for whoever runs the server (docs/operations.md)."""

    enabled: bool = False  # /healthz and /readyz on web.host:web.port, even with the dashboard off
    metrics: bool = False  # /metrics in Prometheus' format (also starts the server)
    telegram_seen_seconds: float = 120  # /readyz fails when Telegram has not been heard from for longer
    outbox_oldest_seconds: float = 900  # ... or when a message has waited in the outbox longer than this
    check_timeout_seconds: float = 3  # a database check taking longer counts as the database being down


@dataclass(frozen=True)
class Settings:
    languages: tuple[str, ...] = SUPPORTED_LANGUAGES
    default_language: str = "ca"
    database_url: str = "sqlite+aiosqlite:///data/aliat.db"
    paths: PathsSettings = field(default_factory=PathsSettings)
    conversation: ConversationSettings = field(default_factory=ConversationSettings)
    actions: ActionsSettings = field(default_factory=ActionsSettings)
    telegram: TelegramSettings = field(default_factory=TelegramSettings)
    handoff: HandoffSettings = field(default_factory=HandoffSettings)
    notifier: NotifierSettings = field(default_factory=NotifierSettings)
    retention: RetentionSettings = field(default_factory=RetentionSettings)
    programme: ProgrammeSettings = field(default_factory=ProgrammeSettings)
    logging: LoggingSettings = field(default_factory=LoggingSettings)
    web: WebSettings = field(default_factory=WebSettings)
    ops: OpsSettings = field(default_factory=OpsSettings)
    # Secrets and deployment facts: environment only.
    telegram_token: str = ""
    telegram_api_base_url: str = ""
    webhook_url: str = ""
    webhook_secret: str = ""
    base_dir: Path = PROJECT_ROOT

    @property
    def dialogues_dir(self) -> Path:
        return self._resolve(self.paths.dialogues)

    @property
    def knowledge_dir(self) -> Path:
        return self._resolve(self.paths.knowledge)

    def _resolve(self, value: str) -> Path:
        path = Path(value)
        return path if path.is_absolute() else self.base_dir / path

    def resolved_database_url(self) -> str:
        """The database URL with a relative SQLite path anchored at the project folder."""
        return resolve_sqlite_path(self.database_url, self.base_dir)


# Environment variables named in the design, mapped to their setting.
NAMED_ENV = {
    "ALIAT_DATABASE_URL": ("database_url",),
    "ALIAT_FACILITATOR_CHAT_ID": ("handoff", "facilitator_chat_id"),
    "ALIAT_ACTION_ENDPOINT": ("actions", "endpoint"),
    "ALIAT_WEBHOOK_URL": ("webhook_url",),
    "ALIAT_WEBHOOK_SECRET": ("webhook_secret",),
    "TELEGRAM_BOT_TOKEN": ("telegram_token",),
    "TELEGRAM_API_BASE_URL": ("telegram_api_base_url",),
}
SECRET_KEYS = {"telegram_token", "webhook_secret", "telegram_api_base_url", "webhook_url", "base_dir"}


def reads_env(var: str) -> bool:
    """Whether `load_settings` takes anything from this environment variable (compose and docs use it)."""
    if var in NAMED_ENV or var == "ALIAT_CONFIG":
        return True
    if not var.startswith("ALIAT_") or var.startswith("ALIAT_TEST_"):
        return False
    return _exists(Settings(), tuple(p.lower() for p in var[len("ALIAT_"):].split("__")))


def resolve_sqlite_path(url: str, base_dir: Path) -> str:
    prefix = "sqlite+aiosqlite:///"
    if url.startswith(prefix):
        rest = url[len(prefix):]
        if rest and rest != ":memory:" and not rest.startswith("/"):
            return prefix + str((base_dir / rest).resolve())
    return url


def load_settings(path: str | os.PathLike[str] | None = None, env: dict[str, str] | None = None) -> Settings:
    """Read config.yml (or ALIAT_CONFIG), apply the environment, validate; ConfigError names a bad key."""
    env = dict(os.environ if env is None else env)
    config_path = Path(path or env.get("ALIAT_CONFIG") or PROJECT_ROOT / "config.yml")
    raw: dict[str, Any] = {}
    if config_path.exists():
        try:
            loaded = yamlio.safe_load(config_path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise ConfigError(f"{config_path}: not valid YAML ({exc})") from exc
        if loaded is not None and not isinstance(loaded, dict):
            raise ConfigError(f"{config_path}: must be a mapping of settings")
        raw = loaded or {}
    elif path or env.get("ALIAT_CONFIG"):
        raise ConfigError(f"ALIAT_CONFIG: file not found: {config_path}")
    for key in raw:
        if key in SECRET_KEYS:
            raise ConfigError(f"{key}: secrets and deployment values come from the environment, not config.yml")
    settings = _build(Settings, raw, "")
    settings = _apply_env(settings, env)
    settings = replace(settings, base_dir=config_path.resolve().parent)
    _validate(settings)
    return settings


def _build(cls: type, raw: Any, prefix: str) -> Any:
    if not isinstance(raw, dict):
        raise ConfigError(f"{prefix.rstrip('.') or 'config'}: must be a mapping")
    known = {f.name: f for f in fields(cls)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        name = f"{prefix}{key}"
        if key not in known:
            raise ConfigError(f"{name}: unknown setting")
        default = getattr(cls(), key)
        if is_dataclass(default):
            values[key] = _build(type(default), value or {}, f"{name}.")
        else:
            values[key] = _coerce(name, value, default)
    return cls(**values)


def _coerce(name: str, value: Any, default: Any) -> Any:
    try:
        if isinstance(default, bool):
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in ("1", "true", "yes", "on"):
                return True
            if text in ("0", "false", "no", "off"):
                return False
            raise ValueError
        if isinstance(default, int):
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError
            return int(value)
        if isinstance(default, float):
            if isinstance(value, bool):
                raise ValueError
            return float(value)
        if isinstance(default, tuple):
            items = value.split(",") if isinstance(value, str) else value
            if not isinstance(items, list | tuple):
                raise ValueError
            return tuple(str(item).strip() for item in items if str(item).strip())
        if value is None:
            return ""
        if isinstance(value, dict | list):
            raise ValueError
        return str(value)
    except (TypeError, ValueError):
        kind = type(default).__name__
        raise ConfigError(f"{name}: expected {kind}, got {value!r}") from None


def _apply_env(settings: Settings, env: dict[str, str]) -> Settings:
    for var, value in env.items():
        if var in NAMED_ENV:
            settings = _set(settings, NAMED_ENV[var], value, var)
        elif var.startswith("ALIAT_") and var not in ("ALIAT_CONFIG",) and not var.startswith("ALIAT_TEST_"):
            parts = tuple(p.lower() for p in var[len("ALIAT_"):].split("__"))
            if _exists(settings, parts):
                settings = _set(settings, parts, value, var)
    return settings


def _exists(obj: Any, parts: tuple[str, ...]) -> bool:
    for part in parts:
        if not is_dataclass(obj) or part not in {f.name for f in fields(obj)}:
            return False
        obj = getattr(obj, part)
    return not is_dataclass(obj)


def _set(obj: Any, parts: tuple[str, ...], value: str, var: str) -> Any:
    head, rest = parts[0], parts[1:]
    current = getattr(obj, head)
    if rest:
        return replace(obj, **{head: _set(current, rest, value, var)})
    return replace(obj, **{head: _coerce(var, value, current)})


def _validate(s: Settings) -> None:
    def fail(key: str, why: str) -> None:
        raise ConfigError(f"{key}: {why}")

    if not s.languages:
        fail("languages", "at least one language is needed")
    for lang in s.languages:
        if lang not in SUPPORTED_LANGUAGES:
            fail("languages", f"{lang!r} is not one of {', '.join(SUPPORTED_LANGUAGES)}")
    if s.default_language not in s.languages:
        fail("default_language", f"{s.default_language!r} is not in languages {list(s.languages)}")
    if not s.database_url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        fail("database_url", "must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
    c = s.conversation
    if not 5 <= c.max_events <= 1000:
        fail("conversation.max_events", "must be between 5 and 1000")
    if c.offer_human_after_misunderstandings < 1:
        fail("conversation.offer_human_after_misunderstandings", "must be at least 1")
    if c.max_text_length < 100:
        fail("conversation.max_text_length", "must be at least 100")
    if c.max_refusals_per_question < 1:
        fail("conversation.max_refusals_per_question", "must be at least 1")
    if s.actions.endpoint and not s.actions.endpoint.startswith(("http://", "https://")):
        fail("actions.endpoint", "must be an http(s) URL or empty")
    if s.actions.timeout_seconds <= 0:
        fail("actions.timeout_seconds", "must be positive")
    t = s.telegram
    if not 1 <= t.webhook_port <= 65535:
        fail("telegram.webhook_port", "must be a port number (1-65535)")
    if t.max_send_retries < 0:
        fail("telegram.max_send_retries", "must not be negative")
    if t.http_client not in ("aiohttp", "httpx"):
        fail("telegram.http_client", "must be aiohttp or httpx")
    if t.flood_max_per_minute < 0:
        fail("telegram.flood_max_per_minute", "must not be negative (0: no limit)")
    if t.drain_seconds < 0:
        fail("telegram.drain_seconds", "must not be negative")
    h = s.handoff
    if not 1 <= h.min_readiness <= 4:
        fail("handoff.min_readiness", "must be between 1 and 4")
    if h.reminder_unclaimed_hours <= 0:
        fail("handoff.reminder_unclaimed_hours", "must be positive")
    if h.reminder_no_contact_days <= 0:
        fail("handoff.reminder_no_contact_days", "must be positive")
    if h.facilitator_chat_id and not h.facilitator_chat_id.lstrip("-").isdigit():
        fail("handoff.facilitator_chat_id", "must be a numeric Telegram chat id")
    n = s.notifier
    if n.poll_interval_seconds <= 0 or n.retry_base_seconds <= 0 or n.retry_max_seconds < n.retry_base_seconds:
        fail("notifier", "intervals must be positive and retry_max_seconds >= retry_base_seconds")
    if s.retention.conversation_days < 1:
        fail("retention.conversation_days", "must be at least 1")
    if s.retention.workshop_days < 1:
        fail("retention.workshop_days", "must be at least 1")
    try:
        time_zone(s.programme.time_zone)
    except ValueError as exc:
        fail("programme.time_zone", str(exc))
    for aim, target in vars(s.programme.alliance_target).items():
        if target < 0:
            fail(f"programme.alliance_target.{aim}", "must not be negative")
    if s.web.session_idle_minutes < 1:
        fail("web.session_idle_minutes", "must be at least 1")
    if s.logging.level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        fail("logging.level", "must be DEBUG, INFO, WARNING or ERROR")
    if s.logging.format not in ("text", "json"):
        fail("logging.format", "must be text or json")
    w = s.web
    if not 1 <= w.port <= 65535:
        fail("web.port", "must be a port number (1-65535)")
    if not w.host.strip():
        fail("web.host", "must be an address to listen on (127.0.0.1, or 0.0.0.0 in a container)")
    if w.base_url and not w.base_url.startswith(("http://", "https://")):
        fail("web.base_url", "must be an http(s) URL or empty")
    o = s.ops
    for key in ("telegram_seen_seconds", "outbox_oldest_seconds", "check_timeout_seconds"):
        if getattr(o, key) <= 0:
            fail(f"ops.{key}", "must be positive")
    if s.telegram_api_base_url and not s.telegram_api_base_url.startswith(("http://", "https://")):
        fail("TELEGRAM_API_BASE_URL", "must be an http(s) URL")
    if s.webhook_url and not s.webhook_url.startswith("https://") and not s.webhook_url.startswith("http://127."):
        fail("ALIAT_WEBHOOK_URL", "must be an https URL")
