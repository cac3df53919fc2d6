"""Small pieces every layer uses: addresses, button data, the concurrent-turn exception, per-key locks, the
folder of generated pictures, log lines, YAML reading. They import nothing of bot but bot/text."""
