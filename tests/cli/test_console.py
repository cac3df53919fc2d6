"""The terminal channel as a user meets it: piped conversations, numbers for buttons, resuming."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from tests.auxil.cli import ROOT, aliat, cli_env


def test_piped_conversation_picks_buttons_by_number(sqlite_url) -> None:
    result = aliat("chat", database_url=sqlite_url, stdin="/start\n1\nCasal del Barri\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Explorar una aliança" in out
    assert "(1/13)" in out and "(2/13)" in out
    assert "Traceback" not in result.stderr


def test_label_picks_a_button_and_bad_input_is_answered(sqlite_url) -> None:
    long_line = "a" * 10_000
    stdin = "\n".join(["/start", "Privacitat", "", long_line, "\x01\x02 🙂", "42", "/unknown"]) + "\n"
    result = aliat("chat", "--lang", "ca", database_url=sqlite_url, stdin=stdin)
    assert result.returncode == 0, result.stderr
    assert "/forget" in result.stdout  # the privacy answer, chosen by its label
    assert "No conec aquesta ordre" in result.stdout
    assert result.stdout.count("No t'he acabat d'entendre") + result.stdout.count("persona del programa") >= 2
    assert "Traceback" not in result.stderr


def test_language_flag_and_user_flag(sqlite_url) -> None:
    result = aliat("chat", "--lang", "en", "--user", "maria", database_url=sqlite_url, stdin="/start\n")
    assert result.stdout.count("I'm the Alia't assistant") == 1  # a first /start does not greet twice
    again = aliat("chat", "--lang", "en", "--user", "maria", database_url=sqlite_url, stdin="/start\n")
    assert again.stdout.count("I'm the Alia't assistant") == 1  # a returning user's /start does greet


def test_killed_in_the_middle_of_a_form_resumes_at_the_same_question(sqlite_url) -> None:
    env = cli_env(sqlite_url)
    proc = subprocess.Popen([sys.executable, "-m", "bot", "chat", "--user", "ana"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    assert proc.stdin and proc.stdout
    proc.stdin.write("1\nCoop La Teixidora\n")
    proc.stdin.flush()
    deadline = time.monotonic() + 30
    seen = ""
    while "(2/13)" not in seen and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen += line
    assert "(2/13)" in seen
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    proc.stdout.close()
    proc.stdin.close()
    proc.stderr.close()
    result = aliat("chat", "--user", "ana", database_url=sqlite_url, stdin="")
    assert result.returncode == 0, result.stderr
    assert "(2/13)" in result.stdout and "A què us dediqueu" in result.stdout
    result = aliat("chat", "--user", "ana", database_url=sqlite_url, stdin="lleure educatiu\n")
    assert "(3/13)" in result.stdout  # the form went on from the answer given before the kill


def test_python_dash_m_bot_works(sqlite_url) -> None:
    result = aliat("--help", database_url=sqlite_url)
    assert result.returncode == 0
    for command in ("chat", "check", "db", "classify"):
        assert command in result.stdout


def test_an_exotic_digit_is_text_not_a_crash() -> None:
    from bot.console import Keyboard, to_message

    keyboard = Keyboard(buttons=[("Sí", "/affirm"), ("No", "/deny")], seq=1)  # a menu, not a question
    for typed in ("፩", "9" * 40):
        message = to_message(typed, keyboard, "console:x", "ca")
        assert message.payload is None and message.text == typed
    assert to_message("２", keyboard, "console:x", "ca").payload == "/deny"


def test_aliat_classify_reads_its_arguments_as_typed(capsys) -> None:
    # through bot.cli's dispatch to bot/commands/classify.py (its own parser: options, then many words)
    import json

    from bot.cli import main

    assert main(["classify", "--lang", "es", "--json", "no", "podemos", "pagar", "las", "nominas"]) == 0
    reading = json.loads(capsys.readouterr().out)
    assert reading["motivation"] == "reactive"
    assert {"motivation", "confidence", "evidence", "scores", "dominant"} <= set(reading)
