"""The Dockerfile and compose.yml cannot be built here (no images can be pulled): this checks how they
install (dependencies first, runtime only, models built in) and run the bot (as `make run` does), and that
every environment variable they set is one bot/config.py reads, with values it accepts. Their install
steps are run for real in tests/cli/test_image_install.py."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from sqlalchemy.engine import make_url

from bot.config import ConfigError, load_settings, reads_env
from tests.auxil.dockerfile import dockerfile, env_instructions
from tests.auxil.runtime import ROOT

# Stand-ins for what the operator's .env holds, to expand ${VAR}, ${VAR:-x} and ${VAR:?msg}.
DOTENV = {"TELEGRAM_BOT_TOKEN": "123456:ABC-def", "POSTGRES_PASSWORD": "0123456789abcdef",
          "ALIAT_WEB__BASE_URL": "https://bot.example.org"}


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


def test_the_dockerfile_installs_the_runtime_alone_dependencies_first_and_runs_as_make_run() -> None:
    instructions = dockerfile()
    kinds = [kind for kind, _ in instructions]
    image = dict(instructions)["FROM"]
    assert re.fullmatch(r"python:3\.11-slim(-\w+)?", image), image
    runs = [args for kind, args in instructions if kind == "RUN"]
    copies = [(i, args) for i, (kind, args) in enumerate(instructions) if kind == "COPY"]
    # The dependencies' layer: pyproject.toml alone, installed before the code is copied.
    (deps_copy, deps_args), (code_copy, code_args) = copies
    assert deps_args.split() == ["pyproject.toml", "./"] and code_args.split()[-2:] == [".", "."]
    deps_run = next(i for i, (kind, args) in enumerate(instructions) if kind == "RUN" and "pip install" in args)
    assert deps_copy < deps_run < code_copy
    pip_runs = [run for run in runs if "pip install" in run]
    for run in pip_runs:
        for command in re.findall(r"pip install[^&]*", run):
            assert "--no-cache-dir" in command, command  # pip's cache stays out of the image
            assert "[dev]" not in command and ".[" not in command, command  # runtime extras only
    assert "make install" not in " ".join(runs)  # make install brings the [dev] tools
    # The models are built into the image, after the code, outside the data volume.
    models_run = next(i for i, (kind, args) in enumerate(instructions) if kind == "RUN" and "aliat models" in args)
    assert models_run > code_copy
    env = env_instructions(instructions)
    volume = json.loads(dict(instructions)["VOLUME"])
    assert not any(env["ALIAT_PATHS__MODELS"].startswith(v) for v in volume)
    workdir = dict(instructions)["WORKDIR"]
    command = json.loads(dict(instructions)["CMD"])
    bin_dir = _make_var("BIN").replace("$(VENV)", _make_var("VENV"))
    assert _make_recipe("run") == ["$(BIN)/aliat run"]
    assert command == [f"{workdir}/{bin_dir}/aliat", "run"]  # what `make run` runs, without make
    # Not root when it runs: the last USER is a named user, before the command.
    users = [i for i, kind in enumerate(kinds) if kind == "USER"]
    assert users and users[-1] < kinds.index("CMD")
    assert instructions[users[-1]][1] not in ("root", "0")


def test_the_dockerfile_health_check_probes_the_ops_listener_its_environment_starts() -> None:
    instructions = dockerfile()
    env = env_instructions(instructions)
    for name in env:
        assert reads_env(name) or not name.startswith(("ALIAT_", "TELEGRAM_")), f"{name} is not a setting"
    settings = load_settings(env=env)
    assert settings.ops.enabled and settings.ops.host == "0.0.0.0" and settings.web.host == "0.0.0.0"
    check = dict(instructions)["HEALTHCHECK"]
    assert f"http://127.0.0.1:{settings.ops.port}/healthz" in check
    exposed = dict(instructions)["EXPOSE"].split()
    assert {str(settings.ops.port), str(settings.web.port), str(settings.telegram.webhook_port)} <= set(exposed)
    assert settings.database_wait_seconds > 0  # a database still starting is waited for


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
    image = load_settings(env={**env_instructions(dockerfile()), **env})  # the image's settings, then compose's
    assert image.web.enabled and image.web.base_url == DOTENV["ALIAT_WEB__BASE_URL"]  # the dashboard is wired
    published = {p.rsplit(":", 1)[-1] for p in bot["ports"]}
    assert {str(image.web.port), str(image.ops.port), str(image.telegram.webhook_port)} <= published
    assert all(p.startswith("127.0.0.1:") for p in bot["ports"])  # behind the host's proxy, not the world
    # Logs rotated, and a stop grace longer than the bot's own drain.
    for service in (db, bot):
        assert service["logging"]["driver"] == "json-file" and service["logging"]["options"]["max-size"]
    grace = re.fullmatch(r"(\d+)s", bot["stop_grace_period"])
    assert grace and int(grace.group(1)) > image.telegram.drain_seconds + 5


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
