# Alia't assistant: `aliat run` in a container (docs/operations.md). The install is `make install` and
# the command is what `make run` runs, as in the README; every setting comes from the environment.
FROM python:3.11-slim-trixie

# make for `make install`; pg_dump/pg_restore for `aliat db backup|restore`. Debian 13's client (17)
# reads compose.yml's PostgreSQL 16: the client must be of the server's major version or newer.
RUN apt-get update \
 && apt-get install -y --no-install-recommends make postgresql-client \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 aliat
WORKDIR /app
COPY --chown=aliat:aliat . .
USER aliat
RUN make install && mkdir -p data

# /healthz, /readyz (and /metrics with ALIAT_OPS__METRICS=true) on port 8088, reachable from outside
# the container (compose publishes it on the host's 127.0.0.1 only; change the published port there,
# not this one, which the HEALTHCHECK probes); the webhook listens on 8443.
# Without ALIAT_DATABASE_URL the database is SQLite in /app/data: keep that folder on a volume.
ENV ALIAT_OPS__ENABLED=true \
    ALIAT_WEB__HOST=0.0.0.0 \
    ALIAT_WEB__PORT=8088 \
    PYTHONUNBUFFERED=1
VOLUME ["/app/data"]
EXPOSE 8088 8443
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["/app/.venv/bin/python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8088/healthz', timeout=4)"]
CMD ["/app/.venv/bin/aliat", "run"]
