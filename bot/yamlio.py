"""YAML reading with libyaml's C loader when PyYAML has it (several times faster at start-up)."""

from __future__ import annotations

from typing import Any

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(stream: Any) -> Any:
    """Like yaml.safe_load; raises yaml.YAMLError the same way."""
    return yaml.load(stream, Loader=_Loader)
