"""Settings: config.yml, overridden by the environment, validated once at start-up.

Each section is a frozen dataclass whose annotations say what a value may be (bounds, choices, checks),
beside its default; pydantic validates config.yml and the environment against them at load, and the JSON
schema of config.yml comes for free (`python -m bot.config`, docs/config.schema.json). Plain dataclasses
rather than BaseSettings models or pydantic dataclasses: code and tests derive settings with
`dataclasses.replace` (a port 0 for "any free port", a dummy database URL), which must not validate, as
it never did. pydantic-settings reads the environment: ALIAT_<KEY>, ALIAT_<SECTION>__<KEY> and the
variables named in the design. A wrong value is a ConfigError naming the key as config.yml spells it, and
the variable when it came from the environment. The sections are declared in bot/config/sections.py.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints

import yaml
from annotated_types import Ge, Gt, Le
from pydantic import TypeAdapter, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import EnvSettingsSource, SettingsConfigDict

from bot.config.sections import (
    PROJECT_ROOT,
    ActionsSettings,
    AllianceTargetSettings,
    ConversationSettings,
    DeliverySettings,
    HandoffSettings,
    LoggingSettings,
    MatchingSettings,
    ObjectiveAimsSettings,
    OpsSettings,
    PathsSettings,
    ProgrammeSettings,
    RetentionSettings,
    Settings,
    TelegramSettings,
    WebSettings,
    Why,
    resolve_sqlite_path,
)
from bot.shared import yamlio
from bot.text.languages import SUPPORTED_LANGUAGES

__all__ = [
    "PROJECT_ROOT", "SCHEMA_PATH", "SUPPORTED_LANGUAGES", "ActionsSettings", "AllianceTargetSettings", "ConfigError",
    "ConversationSettings", "DeliverySettings", "HandoffSettings", "LoggingSettings", "MatchingSettings",
    "ObjectiveAimsSettings", "OpsSettings", "PathsSettings", "ProgrammeSettings", "RetentionSettings", "Settings",
    "TelegramSettings", "WebSettings", "config_schema", "load_settings", "reads_env", "resolve_sqlite_path",
]
log = logging.getLogger(__name__)
SCHEMA_PATH = PROJECT_ROOT / "docs" / "config.schema.json"


class ConfigError(Exception):
    """A setting is missing or wrong; the message names it."""


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
# Sections renamed: the old name is still read, with a warning at start-up, until the release after.
# `notifier:` -> `delivery:` (2026-12): the outbox's retry policy is every message's, not the notifier's.
RENAMED = {"notifier": "delivery"}


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
    parts = (RENAMED.get(parts[0], parts[0]), *parts[1:])
    along = _fields_along(parts)
    return parts if len(along) == len(parts) and not dataclasses.is_dataclass(along[-1].annotation) else None


def reads_env(var: str) -> bool:
    """Whether `load_settings` takes anything from this environment variable (compose and docs use it)."""
    return var == "ALIAT_CONFIG" or _path_of(var) is not None


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
                old = var[len("ALIAT_"):].split("__")[0].lower()
                if old in RENAMED:
                    _renamed_warning(var, f"ALIAT_{RENAMED[old].upper()}__...")
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
    raw = _renamed_sections(raw, config_path)
    environment = _Environment(env)
    values = _merge(_empty_sections(raw, Settings), environment())
    values["base_dir"] = config_path.resolve().parent
    try:
        settings = _validator().validate_python(values)
    except ValidationError as exc:
        raise ConfigError("\n".join(_explain(error, environment.origin) for error in exc.errors())) from None
    _check_together(settings, environment.origin)
    return settings


def _renamed_sections(raw: dict[str, Any], where: Path) -> dict[str, Any]:
    """config.yml with its renamed sections read under their new names (the new one wins on a key set in both)."""
    out = dict(raw)
    for old, new in RENAMED.items():
        if old not in out:
            continue
        _renamed_warning(f"{where.name}: `{old}:`", f"`{new}:`")
        before, after = out.pop(old), out.get(new)
        if isinstance(before, dict) and isinstance(after, dict | None):
            out[new] = {**before, **(after or {})}
        elif new not in out:
            out[new] = before  # not a mapping: validation says so, under the new name
    return out


def _renamed_warning(what: str, now: str) -> None:
    log.warning("%s is deprecated, renamed %s; it is still read in this release only", what, now)


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
    if s.delivery.retry_max_seconds < s.delivery.retry_base_seconds:
        problems.append((("delivery", "retry_max_seconds"),
                         f"must be at least retry_base_seconds ({s.delivery.retry_base_seconds:g})"))
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


def schema_text() -> str:
    return json.dumps(config_schema(), indent=2, ensure_ascii=False)
