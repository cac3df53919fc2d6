"""The programme's figures in the reader's language (figures.py) and spreadsheets that open right (exports.py):
what the dashboard shows, what it exports and what `aliat report` prints."""
