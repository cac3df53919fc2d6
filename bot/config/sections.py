"""The settings' sections: each a frozen dataclass whose annotations say what a value may be (bounds, choices,
checks), beside its default. bot/config/__init__.py reads config.yml and the environment into them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, dataclass_transform

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, with_config
from pydantic_settings import NoDecode

from bot.text.formats import time_zone
from bot.text.languages import SUPPORTED_LANGUAGES

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent


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
T = TypeVar("T")
Languages = Annotated[tuple[str, ...], NoDecode, BeforeValidator(_comma_separated), AfterValidator(_supported)]


@dataclass_transform(frozen_default=True)
def section(cls: type[T]) -> type[T]:
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
class DeliverySettings:
    """The outbox's deliverer and its one retry policy, for every message the bot sends (`notifier:` until
    this release: still read, with a warning)."""

    poll_interval_seconds: Positive = 2  # how often the deliverer looks for due rows when nobody woke it
    retry_base_seconds: Positive = 2  # the first wait after a failure, doubled each time ...
    retry_max_seconds: Positive = 600  # ... up to this
    max_attempts: Int = 0  # 0: never give up


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
    delivery: DeliverySettings = field(default_factory=DeliverySettings)
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


def resolve_sqlite_path(url: str, base_dir: Path) -> str:
    prefix = "sqlite+aiosqlite:///"
    if url.startswith(prefix):
        rest = url[len(prefix):]
        if rest and rest != ":memory:" and not rest.startswith("/"):
            return prefix + str((base_dir / rest).resolve())
    return url

