"""The value reading's development batches (tests/data/values_dev23*.yml, helper y23): what a text typed at a
question leaves stored, read as the conversation reads it (tests/auxil/values_eval.py). Each batch was scored
once before it was tuned to (the honest estimate, in its header and the helper's report); these floors hold
where the reading was brought. `python -m tests.engine.test_values_eval` prints the tables."""

from __future__ import annotations

import pytest

from bot.content.domain import load_domain
from tests.auxil.nlu_eval import load_cases
from tests.auxil.paths import DATA, ROOT
from tests.auxil.values_eval import evaluate, table

# batch: (overall floor, most values stored that the text did not give)
FLOORS = {"values_dev23": (0.88, 2), "values_dev23b": (0.9, 3)}


@pytest.fixture(scope="module")
def domain():
    return load_domain(ROOT / "dialogues", ROOT / "knowledge")


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_development_batch_holds(domain, name) -> None:
    result = evaluate(domain, load_cases(DATA / f"{name}.yml"))
    floor, stored = FLOORS[name]
    assert result.rate() >= floor, table(result)
    assert result.stored_wrong <= stored, [m for m in result.misses if m["got"] == "stored"]


if __name__ == "__main__":  # pragma: no cover - the report's tables
    loaded = load_domain(ROOT / "dialogues", ROOT / "knowledge")
    for batch in sorted(FLOORS):
        print(batch)
        print(table(evaluate(loaded, load_cases(DATA / f"{batch}.yml"))))
