"""`make bench` section `scale`: one webhook worker, then two, on PostgreSQL, behind a round-robin balancer.

Layout: this process hosts the fake Bot API (which POSTs each update to the webhook and waits for the
answer, as Telegram does: a chat's next update only after the previous one was answered) and the
simulated users; the balancer (fake_telegram/balancer.py, spreading updates with no regard for chat) and
each worker (bench/bot_proc.py: the real `build_application` + `serve`, webhook mode) are processes of
their own, so each one's CPU is read from /proc apart. PostgreSQL's share is the CPU of the server
processes serving this database (pg_stat_activity), read the same way; the server's shared processes
(WAL writer, checkpointer) are left out.

Each worker and the balancer start in a session of their own, as services do: Linux's autogroup
scheduler shares the CPU between sessions, so workers started in the bench's own session would share one
slice of a busy machine however many they are (seen here: two workers, with seven other jobs on the two
cores, got no more CPU than one).

Users play whole scripted journeys (bench/tg_script.py) without pauses, enough of them to keep both
workers busy (saturation). Measured over a window after a ramp: turns per second, CPU per turn of the
workers, and per chat, the messages received against the ones the journeys must bring: lost, duplicated,
and chats whose messages came in another order. Runs of one and two workers go back to back, in pairs
(the machine's speed drifts), and the median pair's ratio is the verdict.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from bench.engine_bench import PG_URL, _reset_pg, percentile
from bench.telegram_bench import (
    ROOT,
    TEMPLATES,
    TURN_TIMEOUT,
    BenchFake,
    Chats,
    Outcome,
    cpu_seconds,
    make_update,
    templates,
)
from bench.telegram_bench import _descendants as _descendants_of
from bench.tg_script import Turn

SECRET = "bench-scale-webhook-secret"


class WebhookFake(BenchFake):
    """The fake Bot API, waiting as long as Telegram does for a webhook's answer (a minute, not 10 s)."""

    async def _post(self, update: dict[str, Any], secret: str | None, content_type: str = "application/json") -> int:
        import json

        import aiohttp

        if self._session is None:
            self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        headers = {"Content-Type": content_type, **({"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {})}
        async with self._session.post(self.webhook_url, data=json.dumps(update).encode(), headers=headers,
                                      timeout=aiohttp.ClientTimeout(total=60)) as resp:
            await resp.read()
            return resp.status


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _postgres_pids() -> list[int]:
    """The server processes serving the bench database now (the workers' pooled connections)."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(PG_URL)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"))
            return [int(r[0]) for r in rows]
    finally:
        await engine.dispose()


def _cpu_of(pids: list[int]) -> dict[int, float]:
    return {pid: cpu_seconds(pid) for pid in pids}


def _machine_cpu() -> tuple[float, float]:
    """The whole machine's busy and idle CPU seconds so far, all cores (/proc/stat's first line)."""
    with open("/proc/stat") as fh:
        fields = [int(x) for x in fh.readline().split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + fields[4]  # idle, iowait
    busy = sum(fields[:8]) - idle  # user nice system idle iowait irq softirq steal
    return busy / tick, idle / tick


def _all_cpu() -> dict[int, tuple[str, float]]:
    """Every process's name and CPU seconds so far (its own, not its children's)."""
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[int, tuple[str, float]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                raw = fh.read()
        except OSError:
            continue
        name = raw[raw.index("(") + 1:raw.rindex(")")]
        fields = raw.rsplit(")", 1)[1].split()
        out[int(entry)] = (name, (int(fields[11]) + int(fields[12])) / tick)
    return out


def _rest_by_name(before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]],
                  known: set[int]) -> dict[str, float]:
    """CPU seconds of the processes not in the stand, by name (a process born meanwhile counts whole)."""
    out: Counter[str] = Counter()
    for pid, (name, cpu) in after.items():
        if pid in known:
            continue
        spent = cpu - before[pid][1] if pid in before else cpu
        if spent > 0:
            out[name.split("/")[0]] += spent
    return dict(out.most_common(4))


GROUPS = ("workers", "balancer", "fake_and_users", "postgresql", "rest")


BALANCERS = {"nginx": "bench.nginx_balancer", "python": "fake_telegram.balancer"}


def balancer_kind() -> str:
    """nginx when installed (as in production), else the Python round-robin proxy; BENCH_BALANCER forces one."""
    from bench import nginx_balancer

    wanted = os.environ.get("BENCH_BALANCER", "")
    if wanted in BALANCERS:
        return wanted
    return "nginx" if nginx_balancer.available() else "python"


class Stand:
    """The fake, the balancer and `workers` webhook workers on the bench's PostgreSQL database."""

    def __init__(self, fake: BenchFake, workers: int, tmp: Path) -> None:
        self.fake = fake
        self.count = workers
        self.tmp = tmp
        self.ports = [_free_port() for _ in range(workers)]
        self.balancer_port = _free_port()
        self.procs: list[asyncio.subprocess.Process] = []
        self.balancer: asyncio.subprocess.Process | None = None
        self.balancer_kind = balancer_kind()

    def _env(self, port: int, index: int) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ALIAT_", "TELEGRAM_"))}
        env.update({"TELEGRAM_BOT_TOKEN": self.fake.token, "TELEGRAM_API_BASE_URL": self.fake.base_url,
                    "PTB_TIMEDELTA": "true", "PYTHONPATH": str(ROOT), "ALIAT_DATABASE_URL": PG_URL,
                    "ALIAT_WEBHOOK_URL": f"http://127.0.0.1:{self.balancer_port}/tg", "ALIAT_WEBHOOK_SECRET": SECRET,
                    "ALIAT_TELEGRAM__WEBHOOK_LISTEN": "127.0.0.1", "ALIAT_TELEGRAM__WEBHOOK_PORT": str(port),
                    "ALIAT_TELEGRAM__WEBHOOK_PATH": "tg", "ALIAT_TELEGRAM__RATE_LIMIT": "false",
                    "ALIAT_TELEGRAM__FLOOD_MAX_PER_MINUTE": "0"})
        return env

    async def start(self) -> None:
        with open(self.tmp / "balancer.log", "w") as log:
            self.balancer = await asyncio.create_subprocess_exec(
                sys.executable, "-m", BALANCERS[self.balancer_kind], str(self.balancer_port),
                *[f"http://127.0.0.1:{p}" for p in self.ports], cwd=ROOT, stdout=asyncio.subprocess.PIPE,
                stderr=log, start_new_session=True)
        assert self.balancer.stdout is not None
        await asyncio.wait_for(self.balancer.stdout.readline(), 30)
        for index, port in enumerate(self.ports):  # one by one: the first one runs the migrations
            since = len(self.fake.calls)
            with open(self.tmp / f"worker-{index}.log", "w") as fh:
                proc = await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "bench.bot_proc", str(self.tmp / f"worker-{index}.json"), cwd=ROOT,
                    env=self._env(port, index), stdout=fh, stderr=fh, start_new_session=True)
            self.procs.append(proc)
            waiting = asyncio.create_task(self.fake.wait_for("setWebhook", timeout=90, since=since))
            exited = asyncio.create_task(proc.wait())
            await asyncio.wait({waiting, exited}, return_when=asyncio.FIRST_COMPLETED)
            if exited.done():
                waiting.cancel()
                raise RuntimeError(f"worker exited: {(self.tmp / f'worker-{index}.log').read_text()[-2000:]}")
            exited.cancel()
            waiting.result()

    def pids(self) -> list[int]:
        from bench.telegram_bench import _descendants

        own = [p.pid for p in self.procs] + ([self.balancer.pid] if self.balancer else [])
        return [q for p in own for q in (p, *_descendants(p))]

    def detail(self) -> dict[str, float]:
        """The workers' user and system CPU seconds and their context switches (waits, preemptions)."""
        out = {"user": 0.0, "system": 0.0, "waits": 0.0, "preempted": 0.0}
        tick = os.sysconf("SC_CLK_TCK")
        for pid in [q for p in self.procs for q in (p.pid, *_descendants_of(p.pid))]:
            try:
                with open(f"/proc/{pid}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
                with open(f"/proc/{pid}/status") as fh:
                    status = dict(line.split(":", 1) for line in fh if ":" in line)
            except OSError:
                continue
            out["user"] += int(fields[11]) / tick
            out["system"] += int(fields[12]) / tick
            out["waits"] += int(status.get("voluntary_ctxt_switches", "0"))
            out["preempted"] += int(status.get("nonvoluntary_ctxt_switches", "0"))
        return out

    def cpu(self) -> dict[str, float]:
        assert self.balancer is not None
        return {"workers": sum(cpu_seconds(p.pid) for p in self.procs), "balancer": cpu_seconds(self.balancer.pid)}

    async def stop(self) -> None:
        for proc in [*self.procs, *([self.balancer] if self.balancer else [])]:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
        for proc in [*self.procs, *([self.balancer] if self.balancer else [])]:
            try:
                await asyncio.wait_for(proc.wait(), 30)
            except TimeoutError:
                proc.kill()
                await proc.wait()


def _received(fake: BenchFake) -> dict[int, list[str]]:
    """Per chat, the texts that reached it, in the order they arrived."""
    out: dict[int, list[str]] = defaultdict(list)
    for call in fake.calls:
        if call.ok and call.method == "sendMessage":
            out[call.params.get("chat_id")].append(str(call.params.get("text")))
    return out


def _expected(turns: list[Turn]) -> list[str]:
    """The texts the journeys must bring. Not the journey's chart: the scripts have it only when it was
    drawn before they were written down (tg_script.py), while the bot always sends it."""
    return [str(s["text"]) for t in turns for s in t.sends if "photo" not in s]


def check(fake: BenchFake, started: dict[int, int], scripts: list[list[Turn]]) -> dict[str, int]:
    """Lost and duplicated messages, and chats whose messages came in another order, over every chat."""
    received = _received(fake)
    lost = duplicated = misordered = 0
    for chat, turns in started.items():
        expected = _expected(scripts[chat % TEMPLATES][:turns])
        got = received.get(chat, [])
        missing = Counter(expected) - Counter(got)
        extra = Counter(got) - Counter(expected)
        lost += sum(missing.values())
        duplicated += sum(extra.values())
        if (missing or extra) and os.environ.get("BENCH_SCALE_DEBUG"):
            print(chat, turns, "missing", dict(missing), "extra", dict(extra), file=sys.stderr)
        if not missing and not extra and got != expected:
            misordered += 1
    return {"lost": lost, "duplicated": duplicated, "order_violations": misordered}


async def _run(workers: int, users: int, seconds: float) -> dict[str, Any]:
    scripts = await templates()
    if not await _reset_pg():
        raise RuntimeError(f"PostgreSQL not reachable at {PG_URL} (ALIAT_BENCH_DATABASE_URL)")
    with tempfile.TemporaryDirectory() as tmpdir:
        async with WebhookFake() as fake:
            stand = Stand(fake, workers, Path(tmpdir))
            kind = stand.balancer_kind
            try:
                await stand.start()
                chats = Chats()
                started: dict[int, int] = Counter()
                outcome = Outcome()
                timeouts = 0

                async def journey(chat: int, until: float) -> None:
                    nonlocal timeouts
                    for turn in scripts[chat % TEMPLATES]:
                        if time.monotonic() >= until:
                            return
                        started[chat] += 1
                        if not await _turn(fake, chat, turn, outcome):
                            timeouts += 1
                            return

                # Warm-up: every journey twice, whole (each worker then has its charts' library loaded, its
                # statements prepared on its connections, the rarer paths run once): the window measures
                # the steady state, not the first of each, which two workers would pay twice. It was four
                # journeys of the 24.
                warm = [chats.new() for _ in range(2 * TEMPLATES)]
                await asyncio.gather(*(journey(c, time.monotonic() + 120) for c in warm))
                ramp = 2.0
                until = time.monotonic() + ramp + seconds

                async def user(index: int) -> None:
                    await asyncio.sleep(index * ramp / users)
                    while time.monotonic() < until:
                        await journey(chats.new(), until)

                tasks = [asyncio.create_task(user(i)) for i in range(users)]
                await asyncio.sleep(ramp)
                pg_pids = await _postgres_pids()
                cpu0, pg0, own0, t0 = stand.cpu(), _cpu_of(pg_pids), time.process_time(), time.monotonic()
                machine0, all0, detail0 = _machine_cpu(), _all_cpu(), stand.detail()
                done0 = len(outcome.turns)
                await asyncio.sleep(seconds)
                cpu1, pg1, own1, t1 = stand.cpu(), _cpu_of(pg_pids), time.process_time(), time.monotonic()
                machine1, all1, detail1 = _machine_cpu(), _all_cpu(), stand.detail()
                done1 = len(outcome.turns)
                known = {os.getpid(), *pg_pids, *await _postgres_pids(), *stand.pids()}
                await asyncio.gather(*tasks)
                await asyncio.sleep(0.5)  # the last "sent" marks
                counts = check(fake, started, scripts)
            finally:
                await stand.stop()
    window = t1 - t0
    turns = done1 - done0
    workers_cpu = cpu1["workers"] - cpu0["workers"]
    pg_cpu = sum(max(0.0, pg1[p] - pg0[p]) for p in pg1 if p in pg0)  # a backend gone meanwhile reads 0
    busy, idle = machine1[0] - machine0[0], machine1[1] - machine0[1]
    seconds_of = {"workers": workers_cpu, "balancer": cpu1["balancer"] - cpu0["balancer"],
                  "fake_and_users": own1 - own0, "postgresql": pg_cpu}
    # everything else the machine did meanwhile: PostgreSQL's shared processes, the kernel's own
    # threads (softirq of the loopback traffic not charged to a process), other jobs
    seconds_of["rest"] = max(0.0, busy - sum(seconds_of.values()))
    return {"workers": workers, "users": users, "balancer": kind, "turns": turns, "turns_per_s": turns / window,
            "cpu_per_turn_ms": workers_cpu / max(turns, 1) * 1000,
            "cpu_util": {k: v / window for k, v in seconds_of.items()} | {"idle": idle / window},
            "cpu_ms_per_turn": {k: v / max(turns, 1) * 1000 for k, v in seconds_of.items()},
            # the workers' CPU split (ms a turn) and their context switches a turn: where a second worker's
            # extra CPU per turn goes (the kernel's scheduling and wake-ups, or Python)
            "workers_per_turn": {k: (detail1[k] - detail0[k]) / max(turns, 1) * (1000 if k in ("user", "system")
                                                                                   else 1) for k in detail0},
            "rest_by_name": {k: round(v / window, 3) for k, v in _rest_by_name(all0, all1, known).items()},
            "turn_p50_ms": percentile([last - pushed for pushed, last, _l, _a in outcome.turns], .5) * 1000,
            "turn_p99_ms": percentile([last - pushed for pushed, last, _l, _a in outcome.turns], .99) * 1000,
            "timeouts": timeouts, **counts}


async def _turn(fake: BenchFake, chat: int, turn: Turn, outcome: Outcome) -> bool:
    """One update through the webhook; True once its messages have all come."""
    expected = len(turn.sends)
    times = fake.sends[chat]
    before = len(times)
    update, _callback_id = make_update(fake, chat, turn)
    future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    if expected:
        fake.waiters[chat] = (before + expected, future)
    pushed = time.monotonic()
    try:
        status = await fake.push_update(update)
    except (TimeoutError, OSError):
        status = None
    if status != 200:
        fake.waiters.pop(chat, None)
        return False
    if expected:
        try:
            await asyncio.wait_for(future, TURN_TIMEOUT)
        except TimeoutError:
            return False
        finally:
            fake.waiters.pop(chat, None)
    last = times[before + expected - 1] if expected else time.monotonic()
    outcome.turns.append((pushed, last, last, last))
    return True


def scale(quick: bool = False) -> dict[str, Any]:
    """The section, its stand-in of Telegram and users on uvloop when it is there (sanic, the action
    server's, brings it): the stand-in shares the two cores with the workers, so the lighter the better.
    The workers run as `aliat run` does, on asyncio's own loop."""
    try:
        import uvloop
    except ImportError:
        factory, loop = None, "asyncio"
    else:
        factory, loop = uvloop.new_event_loop, "uvloop"
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(_scale(quick)) | {"stand_in_loop": loop}


async def _scale(quick: bool = False) -> dict[str, Any]:
    """One worker then two, back to back, in pairs; the median pair's ratio counts."""
    users, seconds, pairs = (48, 6.0, 1) if quick else (80, 12.0, 3)  # enough users to keep 2 workers busy
    runs: list[dict[str, dict[str, Any]]] = []
    for _ in range(pairs):
        runs.append({str(n): await _run(n, users, seconds) for n in (1, 2)})
    ratios = [p["2"]["turns_per_s"] / p["1"]["turns_per_s"] for p in runs]
    order = sorted(range(len(runs)), key=lambda i: ratios[i])
    chosen = runs[order[(len(order) - 1) // 2]]
    one, two = chosen["1"], chosen["2"]
    ratio = two["turns_per_s"] / one["turns_per_s"]
    cpu_ratio = two["cpu_per_turn_ms"] / one["cpu_per_turn_ms"]
    bad = {k: sum(r[k] for p in runs for r in p.values()) for k in ("lost", "duplicated", "order_violations")}

    def util(run: dict[str, Any]) -> str:
        """Where the two cores went (share of one core) and the CPU milliseconds of each group per turn."""
        u, per = run["cpu_util"], run["cpu_ms_per_turn"]
        names = {"workers": "workers", "postgresql": "PostgreSQL", "balancer": "balancer",
                 "fake_and_users": "fake Telegram+users", "rest": "rest of machine"}
        parts = [f"{names[g]} {u[g]:.0%} ({per[g]:.2f} ms/turn)" for g in GROUPS]
        w = run["workers_per_turn"]
        return ("; ".join(parts) + f"; idle {u['idle']:.0%}; workers per turn: user {w['user']:.2f} ms, system "
                f"{w['system']:.2f} ms, {w['waits']:.1f} waits, {w['preempted']:.1f} preempted")

    return {"one": one, "two": two, "ratio": ratio, "pair_ratios": ratios, "cpu_per_turn_ratio": cpu_ratio,
            "runs": runs, **bad,
            "rows": [
                (f"1 worker turns/s (PostgreSQL, webhook, {users} users, balancer: {one['balancer']})",
                 f"{one['turns_per_s']:.0f}", "-",
                 f"worker CPU per turn {one['cpu_per_turn_ms']:.2f} ms; cores: {util(one)}"),
                ("2 workers turns/s", f"{two['turns_per_s']:.0f}", "-",
                 f"worker CPU per turn {two['cpu_per_turn_ms']:.2f} ms; cores: {util(two)}"),
                ("2 workers / 1 (median pair)", f"{ratio:.2f}x", ">= 1.2x (2 cores)",
                 ("ok" if ratio >= 1.2 else "MISSED") + f"; pairs {[round(r, 2) for r in ratios]}"),
                ("CPU per turn, 2 workers / 1", f"{cpu_ratio:.2f}x", "<= 1.1x", "ok" if cpu_ratio <= 1.1 else "MISSED"),
                ("order violations / lost / duplicated", f"{bad['order_violations']}/{bad['lost']}/{bad['duplicated']}",
                 "0/0/0", "ok" if not any(bad.values()) else "MISSED"),
            ]}


def _main() -> None:  # python -m bench.scale_bench [--quick]: this section alone, printed
    import json

    with contextlib.suppress(KeyboardInterrupt):
        print(json.dumps(scale(quick="--quick" in sys.argv), indent=2, default=str))


SECTIONS = {"scale": scale}

if __name__ == "__main__":
    random.seed(0)
    _main()
