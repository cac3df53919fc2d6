"""The Dockerfile and compose.yml cannot be built here (no images can be pulled): this checks that they
install and run the bot exactly as the Makefile and README do, and that every environment variable
they set is one bot/config.py reads, with values it accepts."""

from __future__ import annotations

import json
import re
import shlex

import pytest
import yaml
from sqlalchemy.engine import make_url

from bot.config import ConfigError, load_settings, reads_env
from tests.auxil.runtime import ROOT

# Stand-ins for what the operator's .env holds, to expand ${VAR}, ${VAR:-x} and ${VAR:?msg}.
DOTENV = {"TELEGRAM_BOT_TOKEN": "123456:ABC-def", "POSTGRES_PASSWORD": "0123456789abcdef"}


def _dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    text = re.sub(r"\\\n", " ", "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#")))
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1].strip()) for line in text.splitlines()
            if line.strip()]


def _make_recipe(target: str) -> list[str]:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    block = re.search(rf"^{target}:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert block, f"Makefile has no {target} target"
    return [line.strip() for line in block.group(1).splitlines()]


def _make_var(name: str) -> str:
    return re.search(rf"^{name}\s*[:?]?=\s*(.+)$", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M).group(1)


def _expand(value: str, env: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        name, op, default = match.group(1), match.group(2) or "", match.group(3) or ""
        if name in env:
            return env[name]
        assert op != ":?", f"${{{name}}} is required: the operator's .env must set it"
        return default if op == ":-" else ""

    return re.sub(r"\$\{(\w+)(:-|:\?)?([^}]*)\}", one, str(value))


def _env_instructions(instructions: list[tuple[str, str]]) -> dict[str, str]:
    env: dict[str, str] = {}
    for kind, args in instructions:
        if kind == "ENV":
            for pair in shlex.split(args):
                key, _, value = pair.partition("=")
                env[key] = value
    return env


def test_the_dockerfile_installs_and_runs_as_the_makefile_does() -> None:
    instructions = _dockerfile()
    kinds = [kind for kind, _ in instructions]
    image = dict(instructions)["FROM"]
    assert re.fullmatch(r"python:3\.11-slim(-\w+)?", image), image
    assert _make_var("PYTHON") == "python3.11"  # make install inside it finds the image's python3.11
    runs = [args for kind, args in instructions if kind == "RUN"]
    assert any(re.search(r"(^|&&\s*)make install(\s|$)", run) for run in runs), "the image must run `make install`"
    assert not any("pip install" in run for run in runs), "install only through the Makefile"
    workdir = dict(instructions)["WORKDIR"]
    command = json.loads(dict(instructions)["CMD"])
    bin_dir = _make_var("BIN").replace("$(VENV)", _make_var("VENV"))
    assert _make_recipe("run") == ["$(BIN)/aliat run"]
    assert command == [f"{workdir}/{bin_dir}/aliat", "run"]  # what `make run` runs, without make
    # Not root: the USER comes before the install and the command, and is a named user.
    user_at = kinds.index("USER")
    assert dict(instructions)["USER"] not in ("root", "0")
    assert user_at < kinds.index("CMD") and user_at < next(
        i for i, (kind, args) in enumerate(instructions) if kind == "RUN" and "make install" in args)


def test_the_dockerfile_health_check_probes_the_server_its_environment_starts() -> None:
    instructions = _dockerfile()
    env = _env_instructions(instructions)
    for name in env:
        assert reads_env(name) or not name.startswith(("ALIAT_", "TELEGRAM_")), f"{name} is not a setting"
    settings = load_settings(env=env)
    assert settings.ops.enabled and settings.web.host == "0.0.0.0"
    check = dict(instructions)["HEALTHCHECK"]
    assert f"http://127.0.0.1:{settings.web.port}/healthz" in check
    assert str(settings.web.port) in dict(instructions)["EXPOSE"].split()
    assert str(settings.telegram.webhook_port) in dict(instructions)["EXPOSE"].split()


def test_compose_wires_the_bot_to_postgresql_16_with_names_config_reads() -> None:
    compose = yaml.safe_load((ROOT / "compose.yml").read_text(encoding="utf-8"))
    db, bot = compose["services"]["db"], compose["services"]["bot"]
    assert db["image"] == "postgres:16" and db["healthcheck"]["test"]
    assert bot["depends_on"] == {"db": {"condition": "service_healthy"}}  # waits for the database
    named = set(compose["volumes"])
    assert {v.split(":")[0] for v in db["volumes"] + bot["volumes"]} <= named
    assert any(v.endswith(":/var/lib/postgresql/data") for v in db["volumes"])
    for name in bot["environment"]:
        assert reads_env(name), f"compose sets {name}, which bot/config.py does not read"
    env = {name: _expand(value, DOTENV) for name, value in bot["environment"].items()}
    settings = load_settings(env=env)  # the values are accepted, too
    url = make_url(settings.database_url)
    db_env = {name: _expand(value, DOTENV) for name, value in db["environment"].items()}
    assert (url.drivername, url.host, url.port) == ("postgresql+asyncpg", "db", 5432)
    assert (url.username, url.password, url.database) == (
        db_env["POSTGRES_USER"], db_env["POSTGRES_PASSWORD"], db_env["POSTGRES_DB"])
    assert settings.telegram_token == DOTENV["TELEGRAM_BOT_TOKEN"] and not settings.webhook_url
    published = {p.rsplit(":", 1)[-1] for p in bot["ports"]}
    assert {str(settings.web.port), str(settings.telegram.webhook_port)} <= published
    assert all(p.startswith("127.0.0.1:") for p in bot["ports"])  # behind the host's proxy, not the world


def test_dockerignore_keeps_the_local_virtualenv_and_data_out() -> None:
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()}
    assert {".venv", "data", ".git", ".env"} <= ignored


def test_environment_overrides_reach_the_new_settings_and_bad_values_are_named() -> None:
    settings = load_settings(env={"ALIAT_WEB__PORT": "9100", "ALIAT_WEB__ENABLED": "yes",
                                  "ALIAT_OPS__METRICS": "1", "ALIAT_LOGGING__FORMAT": "json"})
    assert (settings.web.port, settings.web.enabled, settings.ops.metrics, settings.logging.format) == (
        9100, True, True, "json")
    for var, value, named in [("ALIAT_WEB__PORT", "70000", "web.port"), ("ALIAT_LOGGING__FORMAT", "xml", "logging.format"),
                              ("ALIAT_OPS__OUTBOX_OLDEST_SECONDS", "0", "ops.outbox_oldest_seconds"),
                              ("ALIAT_WEB__BASE_URL", "bot.example.org", "web.base_url"),
                              ("ALIAT_OPS__ENABLED", "maybe", "ALIAT_OPS__ENABLED")]:
        with pytest.raises(ConfigError, match=re.escape(named)):
            load_settings(env={var: value})
    assert not reads_env("ALIAT_WEB__PORTS") and not reads_env("POSTGRES_PASSWORD")
