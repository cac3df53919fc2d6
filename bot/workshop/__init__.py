"""Workshop mode for trainers: scenario quizzes, success-factor cards, live tallies, a results chart."""

from bot.workshop.handlers import register_workshop_handlers

__all__ = ["register_workshop_handlers"]
