"""Settings: config.yml, overridden by the environment, validated once at start-up.

Each section is a frozen dataclass whose annotations say what a value may be (bounds, choices, checks),
beside its default; pydantic validates config.yml and the environment against them at load, and the JSON
schema of config.yml comes for free (`python -m bot.config`, docs/config.schema.json). Plain dataclasses
rather than BaseSettings models or pydantic dataclasses: code and tests derive settings with
`dataclasses.replace` (a port 0 for "any free port", a dummy database URL), which must not validate, as
it never did. pydantic-settings reads the environment: ALIAT_<KEY>, ALIAT_<SECTION>__<KEY> and the
variables named in the design. A wrong value is a ConfigError naming the key as config.yml spells it, and
the variable when it came from the environment.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin, get_type_hints

import yaml
from annotated_types import Ge, Gt, Le
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    with_config,
)
from pydantic.fields import FieldInfo
from pydantic_settings import EnvSettingsSource, NoDecode, SettingsConfigDict

from bot.shared import yamlio
from bot.text.formats import time_zone
from bot.text.languages import SUPPORTED_LANGUAGES

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = PROJECT_ROOT / "docs" / "config.schema.json"


class ConfigError(Exception):
    """A setting is missing or wrong; the message names it."""


@dataclass(frozen=True)
class Why:
    """What to tell the person who set a value out of its bounds, when the bounds alone say it badly."""

    text: str


def _not_a_bool(value: Any) -> Any:
    if isinstance(value, bool):  # pydantic would read YAML's `yes` as the number 1
        raise ValueError(f"expected a number, got {value!r}")
    return value


def _empty_is_blank(value: Any) -> Any:
    return "" if value is None else value  # `endpoint:` left empty in config.yml


def _http_url_or_empty(value: str) -> str:
    if value and not value.startswith(("http://", "https://")):
        raise ValueError("must be an http(s) URL or empty")
    return value


def _comma_separated(value: Any) -> Any:
    items = value.split(",") if isinstance(value, str) else value  # ALIAT_LANGUAGES=ca,es
    if isinstance(items, list | tuple):
        return tuple(str(item).strip() for item in items if str(item).strip())
    return items


def _supported(languages: tuple[str, ...]) -> tuple[str, ...]:
    if not languages:
        raise ValueError("at least one language is needed")
    for lang in languages:
        if lang not in SUPPORTED_LANGUAGES:
            raise ValueError(f"{lang!r} is not one of {', '.join(SUPPORTED_LANGUAGES)}")
    return languages


def _numeric_chat(value: str) -> str:
    if value and not value.lstrip("-").isdigit():
        raise ValueError("must be a numeric Telegram chat id")
    return value


def _https(value: str) -> str:
    if value and not value.startswith("https://") and not value.startswith("http://127."):
        raise ValueError("must be an https URL")
    return value


def _known_zone(name: str) -> str:
    time_zone(name)  # its ValueError names the zone
    return name


def _log_level(level: str) -> str:
    if level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
    return level


# The checks that convert (before) come after the bounds, so the bounds reach the JSON schema.
NUMBER = BeforeValidator(_not_a_bool)
BLANK = BeforeValidator(_empty_is_blank)
Int = Annotated[int, NUMBER]
Text = Annotated[str, BLANK]
# stored with each consent (a VARCHAR(32) column): a longer one stopped every handoff on PostgreSQL
Version = Annotated[str, Field(max_length=32), BLANK]
Positive = Annotated[float, Field(gt=0), NUMBER]
AtLeastOne = Annotated[int, Field(ge=1), NUMBER]
NotNegative = Annotated[int, Field(ge=0), NUMBER]
Port = Annotated[int, Field(ge=1, le=65535), NUMBER, Why("must be a port number (1-65535)")]
HttpUrl = Annotated[Text, AfterValidator(_http_url_or_empty)]
Languages = Annotated[tuple[str, ...], NoDecode, BeforeValidator(_comma_separated), AfterValidator(_supported)]


def section(cls: type) -> type:
    """A frozen dataclass of settings. extra="forbid": a key config.yml misspells stops start-up ("unknown
    setting") instead of being ignored; a number where text is expected (a chat id) is read as text."""
    return with_config(ConfigDict(extra="forbid", coerce_numbers_to_str=True))(dataclass(frozen=True)(cls))


@section
class PathsSettings:
    dialogues: Text = "dialogues"
    knowledge: Text = "knowledge"
    models: Text = "data/models"  # the trained language models (`aliat models`, run by make install and the image)


@section
class ConversationSettings:
    max_events: Annotated[int, Field(ge=5, le=1000), NUMBER] = 20
    offer_human_after_misunderstandings: AtLeastOne = 2
    max_text_length: Annotated[int, Field(ge=100), NUMBER] = 2000
    max_refusals_per_question: AtLeastOne = 2


@section
class ActionsSettings:
    endpoint: HttpUrl = ""
    timeout_seconds: Positive = 10


@section
class TelegramSettings:
    rate_limit: bool = True
    webhook_listen: Text = "0.0.0.0"
    webhook_port: Port = 8443
    webhook_path: Text = "telegram"
    max_send_retries: NotNegative = 5
    polling_timeout_seconds: Int = 10
    http_client: Literal["aiohttp", "httpx"] = "aiohttp"
    bot_username: Text = ""  # the bot's @name, for invite links (t.me/<name>?start=...); empty: say /start
    flood_max_per_minute: Annotated[NotNegative, Why("must not be negative (0: no limit)")] = 30
    drain_seconds: Annotated[float, Field(ge=0), NUMBER] = 10


@section
class HandoffSettings:
    facilitator_chat_id: Annotated[Text, AfterValidator(_numeric_chat)] = ""
    min_readiness: Annotated[float, Field(ge=1, le=4), NUMBER] = 2.5
    require_objective: bool = True
    require_partner_in_mind: bool = False
    reminder_unclaimed_hours: Positive = 24
    reminder_no_contact_days: Positive = 3
    # a lead still unclaimed, or claimed and not contacted, this long is escalated to the coordinators once
    escalate_unclaimed_hours: Positive = 72
    escalate_no_contact_days: Positive = 7
    response_days: AtLeastOne = 3  # the entity is told it will be contacted within this many days
    consent_version: Version = "2026-11"
    notify_private: bool = False


@section
class MatchingSettings:
    """Partner matching (issue 26): the opt-in's version, how many suggestions, introductions' timing."""

    consent_version: Version = "2026-12"
    suggestions_per_entity: Annotated[int, Field(ge=1, le=20), NUMBER] = 3
    min_score: Annotated[float, Field(ge=0, le=1), NUMBER] = 0.35
    reminder_days: Positive = 3       # an introduction nobody answered gets one reminder after this long
    expiry_days: Positive = 10        # ... and expires after this long (counted from the proposal)


@section
class NotifierSettings:
    poll_interval_seconds: Positive = 2
    retry_base_seconds: Positive = 2
    retry_max_seconds: Positive = 600
    max_attempts: Int = 0


@section
class RetentionSettings:
    conversation_days: AtLeastOne = 365
    workshop_days: AtLeastOne = 30


@section
class AllianceTargetSettings:
    """The programme's target: 8 new alliances with different aims (ids of knowledge/objectives.yml)."""

    innovation: NotNegative = 2
    public_contracting: NotNegative = 2
    integral_attention: NotNegative = 2
    efficiency: NotNegative = 2


Aim = Literal["innovation", "public_contracting", "integral_attention", "efficiency"]


@section
class ObjectiveAimsSettings:
    """Which of the programme's four aims (alliance_target) each interview objective counts towards."""

    innovation: Aim = "innovation"
    public_contracting: Aim = "public_contracting"
    integral_attention: Aim = "integral_attention"
    efficiency: Aim = "efficiency"
    competitiveness: Aim = "efficiency"  # the programme's aim is "efficiency and competitiveness"
    voice: Aim = "public_contracting"
    impact: Aim = "integral_attention"
    saving_money: Aim = "efficiency"


@section
class ProgrammeSettings:
    # dates and times staff read are shown in this zone
    time_zone: Annotated[Text, AfterValidator(_known_zone)] = "Europe/Madrid"
    alliance_target: AllianceTargetSettings = field(default_factory=AllianceTargetSettings)
    objective_aims: ObjectiveAimsSettings = field(default_factory=ObjectiveAimsSettings)


@section
class LoggingSettings:
    level: Annotated[Text, AfterValidator(_log_level)] = "INFO"
    format: Literal["text", "json"] = "text"  # json: one object a line (bot/shared/logs.py)


@section
class WebSettings:
    """The staff dashboard's HTTP server (bot/web): public, behind the https proxy."""

    enabled: bool = False
    host: Annotated[str, Field(pattern=r"\S"), BLANK,
                    Why("must be an address to listen on (127.0.0.1, or 0.0.0.0 in a container)")] = "127.0.0.1"
    port: Port = 8088
    base_url: HttpUrl = ""  # the dashboard's public address, for the login links the bot sends
    session_idle_minutes: AtLeastOne = 60  # a dashboard session ends after this long without a request


@section
class OpsSettings:
    """Health, readiness and metrics for whoever runs the server (docs/operations.md): a listener of their
    own, never published, apart from the dashboard's."""

    enabled: bool = False  # /healthz and /readyz on ops.host:ops.port
    metrics: bool = False  # /metrics in Prometheus' format (also starts the listener)
    host: Annotated[str, Field(pattern=r"\S"), BLANK,
                    Why("must be an address to listen on (127.0.0.1, or 0.0.0.0 in a container)")] = "127.0.0.1"
    port: Port = 8089
    telegram_seen_seconds: Positive = 120  # /readyz fails when Telegram has not been heard from for longer
    outbox_oldest_seconds: Positive = 900  # ... or when a message has waited in the outbox longer than this
    check_timeout_seconds: Positive = 3  # a database check taking longer counts as the database being down


@section
class Settings:
    languages: Languages = SUPPORTED_LANGUAGES
    default_language: Text = "ca"
    database_url: Annotated[str, Field(pattern=r"^(sqlite\+aiosqlite|postgresql\+asyncpg)://"), BLANK,
                            Why("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")] = (
        "sqlite+aiosqlite:///data/aliat.db")
    # at start, how long `aliat run` waits for an unreachable database (one log line per try); 0: exit at once
    database_wait_seconds: Annotated[float, Field(ge=0), NUMBER] = 0
    paths: PathsSettings = field(default_factory=PathsSettings)
    conversation: ConversationSettings = field(default_factory=ConversationSettings)
    actions: ActionsSettings = field(default_factory=ActionsSettings)
    telegram: TelegramSettings = field(default_factory=TelegramSettings)
    handoff: HandoffSettings = field(default_factory=HandoffSettings)
    notifier: NotifierSettings = field(default_factory=NotifierSettings)
    matching: MatchingSettings = field(default_factory=MatchingSettings)
    retention: RetentionSettings = field(default_factory=RetentionSettings)
    programme: ProgrammeSettings = field(default_factory=ProgrammeSettings)
    logging: LoggingSettings = field(default_factory=LoggingSettings)
    web: WebSettings = field(default_factory=WebSettings)
    ops: OpsSettings = field(default_factory=OpsSettings)
    # Secrets and deployment facts: environment only.
    telegram_token: Text = ""
    telegram_api_base_url: HttpUrl = ""
    webhook_url: Annotated[Text, AfterValidator(_https)] = ""
    webhook_secret: Text = ""
    base_dir: Path = PROJECT_ROOT

    @property
    def dialogues_dir(self) -> Path:
        return self._resolve(self.paths.dialogues)

    @property
    def knowledge_dir(self) -> Path:
        return self._resolve(self.paths.knowledge)

    @property
    def models_dir(self) -> Path:
        return self._resolve(self.paths.models)

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


@cache
def _fields(cls: type) -> dict[str, FieldInfo]:
    """A section's fields as pydantic reads them (annotation, bounds, our Why)."""
    if not dataclasses.is_dataclass(cls):
        return {}
    hints = get_type_hints(cls, include_extras=True)
    return {f.name: FieldInfo.from_annotation(hints[f.name]) for f in dataclasses.fields(cls)}


def _fields_along(parts: tuple[str, ...]) -> list[FieldInfo]:
    """The fields a path of keys goes through, as far as they exist."""
    found: list[FieldInfo] = []
    cls: Any = Settings
    for part in parts:
        fields = _fields(cls)
        if part not in fields:
            break
        found.append(fields[part])
        cls = fields[part].annotation
    return found


def _path_of(var: str) -> tuple[str, ...] | None:
    """The keys an environment variable sets, or None."""
    if var in NAMED_ENV:
        return NAMED_ENV[var]
    if not var.startswith("ALIAT_") or var.startswith("ALIAT_TEST_") or var == "ALIAT_CONFIG":
        return None
    parts = tuple(p.lower() for p in var[len("ALIAT_"):].split("__"))
    along = _fields_along(parts)
    return parts if len(along) == len(parts) and not dataclasses.is_dataclass(along[-1].annotation) else None


def reads_env(var: str) -> bool:
    """Whether `load_settings` takes anything from this environment variable (compose and docs use it)."""
    return var == "ALIAT_CONFIG" or _path_of(var) is not None


def resolve_sqlite_path(url: str, base_dir: Path) -> str:
    prefix = "sqlite+aiosqlite:///"
    if url.startswith(prefix):
        rest = url[len(prefix):]
        if rest and rest != ":memory:" and not rest.startswith("/"):
            return prefix + str((base_dir / rest).resolve())
    return url


class _SettingsShape:
    """The two things pydantic-settings' sources read of a settings class (a BaseSettings has them)."""

    model_config = SettingsConfigDict(case_sensitive=False, env_prefix="ALIAT_", env_nested_delimiter="__")
    model_fields = _fields(Settings)


class _Environment(EnvSettingsSource):
    """pydantic-settings' reading of ALIAT_<SECTION>__<KEY>, from the mapping given (tests pass their own),
    and only of variables that name a setting: a stray ALIAT_ variable never stopped start-up."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.given = env
        self.origin: dict[tuple[str, ...], str] = {}  # which variable set which key, for the error messages
        super().__init__(_SettingsShape)  # type: ignore[arg-type]

    def _load_env_vars(self) -> Mapping[str, str | None]:
        found: dict[str, str | None] = {}
        # the named variables last, so ALIAT_FACILITATOR_CHAT_ID wins over ALIAT_HANDOFF__FACILITATOR_CHAT_ID
        for var in sorted(self.given, key=lambda v: v in NAMED_ENV):
            path = _path_of(var)
            if path:
                self.origin[path] = var
                found["aliat_" + "__".join(path)] = self.given[var]
        return found


def load_settings(path: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None) -> Settings:
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
    environment = _Environment(env)
    values = _merge(_empty_sections(raw, Settings), environment())
    values["base_dir"] = config_path.resolve().parent
    try:
        settings = _validator().validate_python(values)
    except ValidationError as exc:
        raise ConfigError("\n".join(_explain(error, environment.origin) for error in exc.errors())) from None
    _check_together(settings, environment.origin)
    return settings


@cache
def _validator() -> TypeAdapter[Settings]:
    return TypeAdapter(Settings)


def _check_together(s: Settings, origin: Mapping[tuple[str, ...], str]) -> None:
    """What one value's annotation cannot say: how two values go together."""
    problems = []
    if s.default_language not in s.languages:
        problems.append((("default_language",), f"{s.default_language!r} is not in languages {list(s.languages)}"))
    if s.web.enabled and (s.ops.enabled or s.ops.metrics) and s.ops.port == s.web.port:
        problems.append((("ops", "port"), f"must differ from web.port ({s.web.port}): the health and metrics "
                         "endpoints are kept off the dashboard's public listener"))
    if s.notifier.retry_max_seconds < s.notifier.retry_base_seconds:
        problems.append((("notifier", "retry_max_seconds"),
                         f"must be at least retry_base_seconds ({s.notifier.retry_base_seconds:g})"))
    if problems:
        raise ConfigError("\n".join(_explain({"loc": loc, "type": "value_error", "ctx": {"error": why}}, origin)
                                    for loc, why in problems))


def _empty_sections(raw: dict[str, Any], cls: Any) -> dict[str, Any]:
    """A section left empty in config.yml (`paths:`) keeps its defaults."""
    fields = _fields(cls)
    out = dict(raw)
    for key, value in raw.items():
        section_cls = fields[key].annotation if key in fields else None
        if dataclasses.is_dataclass(section_cls):
            if value is None:
                out[key] = {}
            elif isinstance(value, dict):
                out[key] = _empty_sections(value, section_cls)
    return out


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def _explain(error: Any, origin: Mapping[tuple[str, ...], str]) -> str:
    """One line of a ConfigError: the key (and variable) first, then what is wrong in our words."""
    loc = tuple(str(p) for p in error["loc"])
    key = ".".join(loc)
    var = next((origin[loc[:n]] for n in range(len(loc), 0, -1) if loc[:n] in origin), None)
    along = _fields_along(loc)
    why = _why(error, along[-1] if along else None)
    name = f"{key} ({var})" if var else key
    return f"{name}: {why}" if name else why


def _why(error: Any, info: FieldInfo | None) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    metadata = info.metadata if info else []
    if kind == "unexpected_keyword_argument":
        return "unknown setting"
    if kind == "value_error":
        return str(ctx["error"])
    if kind in ("dataclass_type", "dataclass_args_type"):
        return "must be a mapping"
    told = next((m.text for m in metadata if isinstance(m, Why)), None)
    if told and kind in ("greater_than", "greater_than_equal", "less_than_equal", "string_pattern_mismatch"):
        return told
    if kind == "literal_error" and info is not None:
        names = [str(a) for a in get_args(info.annotation)]
        return "must be " + (", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0])
    low = next((m.ge for m in metadata if isinstance(m, Ge)), None)
    high = next((m.le for m in metadata if isinstance(m, Le)), None)
    above = next((m.gt for m in metadata if isinstance(m, Gt)), None)
    if kind in ("greater_than", "greater_than_equal", "less_than_equal"):
        if low is not None and high is not None:
            return f"must be between {low} and {high}"
        if above == 0:
            return "must be positive"
        if low == 0:
            return "must not be negative"
        if low is not None:
            return f"must be at least {low}"
        return error["msg"]
    expected = info.annotation if info else None
    expected = get_origin(expected) or expected
    return f"expected {getattr(expected, '__name__', 'a value')}, got {error.get('input')!r}"


def config_schema() -> dict[str, Any]:
    """A JSON schema of config.yml for editors and reviewers: the settings without the environment's."""
    schema = _validator().json_schema()
    for key in SECRET_KEYS:
        schema["properties"].pop(key, None)
    schema["title"] = "config.yml of Alia't assistant"
    return schema


if __name__ == "__main__":  # `python -m bot.config > docs/config.schema.json` (a test checks it is current)
    print(json.dumps(config_schema(), indent=2, ensure_ascii=False))
