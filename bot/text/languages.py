"""The languages the assistant speaks, Catalan first: every list of languages in the code is this one."""

SUPPORTED_LANGUAGES = ("ca", "es", "en")
