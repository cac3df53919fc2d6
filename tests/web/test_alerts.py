"""docs/alerts.yml: Prometheus rules that parse, say what to do, and name only metrics /metrics gives (read
from a real scrape, not a list kept by hand)."""

from __future__ import annotations

import re
from collections import Counter

import yaml

from bot.web.health import Readiness
from bot.web.metrics import Metrics
from tests.auxil.ops import samples
from tests.auxil.paths import ROOT

PROMQL_WORDS = {"up", "rate", "increase", "delta", "sum", "by", "without", "and", "or", "unless", "on",
                "ignoring", "max", "min", "avg", "count", "abs", "absent", "bool", "offset"}


async def test_the_alert_rules_parse_and_name_metrics_the_bot_exposes(runtime) -> None:
    rules = yaml.safe_load((ROOT / "docs" / "alerts.yml").read_text(encoding="utf-8"))
    (group,) = rules["groups"]
    metrics = Metrics(runtime, counters=Counter(), readiness=Readiness(runtime))
    try:
        exposed = {name for name, _labels in samples((await metrics.render()).decode())}
    finally:
        metrics.close()
    named: set[str] = set()
    for rule in group["rules"]:
        assert set(rule) <= {"alert", "expr", "for", "labels", "annotations"}, rule
        assert re.fullmatch(r"Aliat[A-Za-z]+", rule["alert"])
        assert rule["labels"]["severity"] in ("critical", "warning")
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]
        assert "for" not in rule or re.fullmatch(r"\d+[smh]", rule["for"])
        expr = rule["expr"]
        assert expr.count("(") == expr.count(")") and expr.count("[") == expr.count("]")
        assert expr.count("{") == expr.count("}")
        without_strings = re.sub(r'"[^"]*"', "", re.sub(r"\[[^\]]*\]", "", expr))
        words = set(re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", without_strings)) - PROMQL_WORDS - {"job"}
        assert words or expr.startswith("up{"), expr  # up: Prometheus's own, per scrape target
        for word in words:
            assert word in exposed, f"{rule['alert']}: {word} is not a metric /metrics gives"
        named |= words
    # The signs the issue asks to watch: not ready, outbox backlog, unclaimed leads, 429s.
    assert {"aliat_ready", "aliat_outbox_oldest_pending_seconds", "aliat_lead_oldest_unclaimed_seconds",
            "aliat_telegram_429_total"} <= named
