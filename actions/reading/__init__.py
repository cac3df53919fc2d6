"""The motivation reading's parts (reactive / proactive / mixed / unclear); `actions/classifier.py` puts them
together and is the one public entry point.

- `labels`: the four labels and the two directions;
- `text`: how the reading tokenises a text (shared with the statistical model, `actions/motivation_model.py`);
- `patterns`: the cue file's pattern language (compile, match, phrase lists);
- `cues`: ``knowledge/motivation_cues.yml`` loaded into a `Knowledge`;
- `hits`: the cues a text holds, with negation and reassurance;
- `driver`: which part of a text says *why* (denials, a crisis that is over, "the real reason", the people
  served, "but", "at the same time").
"""
