# Alia't assistant: `aliat run` in a container (docs/operations.md); every setting comes from the environment.
# Only what the bot needs to run (no test or lint tools), the language models built in, a non-root user.
FROM python:3.11-slim-trixie

# pg_dump/pg_restore for `aliat db backup|restore`. Debian 13's client (17) reads compose.yml's PostgreSQL 16:
# the client must be of the server's major version or newer.
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 aliat
WORKDIR /app
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONUNBUFFERED=1 \
    ALIAT_PATHS__MODELS=/app/models

# 1. The dependencies, in a layer of their own: rebuilt when pyproject.toml changes, not with every change
#    of the code. The runtime ones only (`[project] dependencies`, not the `dev` extra).
COPY pyproject.toml ./
RUN python -m venv .venv \
 && .venv/bin/python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'], sep='\n')" > /tmp/requirements.txt \
 && .venv/bin/pip install --no-cache-dir -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt

# 2. The code, installed in place (it reads dialogues/, knowledge/ and corpus/ beside it), compiled, and the
#    language models built into the image (ALIAT_PATHS__MODELS, outside the data volume: an upgraded image
#    brings its own); `aliat run` checks them by digest and trains nothing at start.
COPY . .
RUN .venv/bin/pip install --no-cache-dir --no-deps -e . \
 && .venv/bin/python -m compileall -q bot actions \
 && .venv/bin/aliat models

# 3. The commit it is built from, for `aliat --version` and /metrics' aliat_build_info (.git is not copied in):
#    `docker build --build-arg ALIAT_COMMIT=$(git rev-parse HEAD) .`; compose passes ALIAT_COMMIT from the
#    environment. Without it the file is empty and the commit reads "unknown". After the code and the
#    models, so the argument never makes them rebuild.
ARG ALIAT_COMMIT=""
RUN printf '%s\n' "$ALIAT_COMMIT" > /app/BUILD_COMMIT

# The code and the models stay root's (read-only to the bot); the bot writes only /app/data.
RUN mkdir -p data && chown aliat:aliat data
USER aliat

# The dashboard on 8088 (behind the https proxy), /healthz, /readyz and /metrics on 8089 (never public:
# compose publishes it on the host's 127.0.0.1 only), the webhook on 8443. The HEALTHCHECK probes 8089.
# A database still starting is waited for, a line a try (database_wait_seconds), before giving up.
# Without ALIAT_DATABASE_URL the database is SQLite in /app/data: keep that folder on a volume.
ENV ALIAT_OPS__ENABLED=true \
    ALIAT_OPS__HOST=0.0.0.0 \
    ALIAT_OPS__PORT=8089 \
    ALIAT_WEB__HOST=0.0.0.0 \
    ALIAT_WEB__PORT=8088 \
    ALIAT_DATABASE_WAIT_SECONDS=60
VOLUME ["/app/data"]
EXPOSE 8088 8089 8443
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["/app/.venv/bin/python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8089/healthz', timeout=4)"]
# SIGTERM: the updates in hand finish and replies drain (telegram.drain_seconds, 10 s); compose's
# stop_grace_period (30 s) leaves it time before SIGKILL.
STOPSIGNAL SIGTERM
CMD ["/app/.venv/bin/aliat", "run"]
