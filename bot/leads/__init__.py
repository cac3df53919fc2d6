"""Leads, channel-neutral: the lead desk (what facilitators do to a lead), the cards and dossiers in words,
and the lead commands. Telegram (bot/facilitators), the dashboard (bot/web) and the notifier use it; it
imports no channel (import-linter's contracts in pyproject.toml).
"""

from bot.leads.cards import CardAction
from bot.leads.desk import LeadDesk

__all__ = ["CardAction", "LeadDesk"]
