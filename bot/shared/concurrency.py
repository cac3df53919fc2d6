"""The one exception a conversation store and the engine share, in neither of them: the engine depends
on a store interface (bot/engine/ports.py), not on bot/store, and bot/store knows nothing of the engine."""


class ConcurrentTurn(Exception):
    """Another worker saved this conversation first; the turn is run again."""
