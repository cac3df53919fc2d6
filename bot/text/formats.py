"""Numbers, dates and times as a reader expects them: in the programme's time zone, with the zone shown, in the
reader's language (Babel's CLDR data: "30 de nov. 2026, 00:33 CET", "30 nov 2026, 00:33 CET")."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime
from babel.numbers import format_decimal, format_percent

DEFAULT_TIME_ZONE = "Europe/Madrid"
# British English: day before month and a 24-hour clock, as the rest of the programme writes dates
LOCALES = {"ca": "ca", "es": "es", "en": "en_GB"}
WHEN = "d MMM y, HH:mm z"
DAY = "d MMM y"


def time_zone(name: str) -> ZoneInfo:
    """The zone by its IANA name; ValueError names it when unknown (config validation uses this)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"{name!r} is not a time zone name such as Europe/Madrid") from exc


def _moment(value: datetime | str | None) -> datetime | None:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    # SQLite gives naive datetimes back; everything stored is UTC
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def when(value: datetime | str | None, language: str, zone: str = DEFAULT_TIME_ZONE, *,
         day_only: bool = False) -> str:
    """A stored moment for a reader; "" when there is none or it cannot be read."""
    moment = _moment(value)
    if moment is None:
        return ""
    return format_datetime(moment, DAY if day_only else WHEN, tzinfo=time_zone(zone),
                           locale=LOCALES.get(language, "en_GB"))


def decimal(value: float, language: str, pattern: str = "0.0") -> str:
    """A number with one decimal as the language writes it: 2,8 in Catalan and Spanish, 2.8 in English."""
    return format_decimal(value, pattern, locale=LOCALES.get(language, "en_GB"))


def percent(share: float, language: str) -> str:
    """A share (0.67) as the language writes a percentage: "67 %" in Catalan and Spanish, "67%" in English."""
    return format_percent(share, locale=LOCALES.get(language, "en_GB"))


def integer(value: int, language: str) -> str:
    """A count with the language's grouping: 1.202 in Catalan and Spanish, 1,202 in English."""
    return format_decimal(value, "#,##0", locale=LOCALES.get(language, "en_GB"))
