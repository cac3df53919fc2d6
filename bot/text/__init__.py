"""Words, numbers and text as people and other programs read them: grammar, number parsing, dates, long
texts split into messages, the trained text model, the languages spoken. Imports nothing else of bot."""
