"""Partner matching (issue 26): which entities of the programme would fit each other, and why.

- `rules.py`: knowledge/matching.yml read once: the lists (resources, groups, services), the aims and weights.
- `scoring.py`: every pair scored at once with the seed's indicators (complementarities, gains, duplications,
  conflicts, readiness), by aim; `explain` gives one pair's numbers and the facts behind them.
- `reasons.py`: one line per indicator, in the reader's language.
- `suggest.py`: suggestions among the consenting, non-erased entities (the CLI, the dashboard, the bench).
- `introductions.py`: a facilitator's proposal, each entity's answer, contacts exchanged once, reminders.

Channel-neutral: the dashboard, `aliat matches` and the Telegram buttons all come here; nothing here renders
a dialogue response or knows Telegram (the notifier renders what an introduction row names).
"""
