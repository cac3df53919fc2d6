"""YAML reading with libyaml's C loader when PyYAML has it (several times faster at start-up)."""

from __future__ import annotations

from typing import Any

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(stream: Any) -> Any:
    """Like yaml.safe_load; raises yaml.YAMLError the same way."""
    return yaml.load(stream, Loader=_Loader)


class _DuplicateKeys(yaml.SafeLoader):
    """A loader that notes every mapping key given twice (YAML keeps the last one silently)."""

    found: list[str]


def _construct_mapping(loader: _DuplicateKeys, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _value in node.value:
        key = loader.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
        if key in seen:
            loader.found.append(f"line {key_node.start_mark.line + 1}: {key!r} given twice")
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_DuplicateKeys.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def duplicate_keys(text: str) -> list[str]:
    """Where a mapping in `text` gives a key twice (for `aliat check`: the loaders keep only the last)."""
    loader = _DuplicateKeys(text)
    loader.found = []
    try:
        loader.get_single_data()
    finally:
        loader.dispose()
    return loader.found
