"""Workshop mode for trainers: scenario quizzes, success-factor cards, live tallies, a results chart.

`register(app, runtime)` adds its Telegram handlers (handlers.py); the machinery is service.py.
"""

from bot.workshop.handlers import register

__all__ = ["register"]
