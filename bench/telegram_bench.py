"""Telegram sections of `make bench`: CPU per turn, a workshop burst, and the ceiling, against a bare bot.

Layout: this process hosts the fake Bot API (fake_telegram/bot_api.py, on 127.0.0.1) and the
simulated users; the bot under test runs in its own process (bench/bot_proc.py: the real
`build_application` + `serve`, polling; or bench/bare_bot.py, the baseline), so its CPU time, read from
/proc/<pid>/stat, is its own and not the fake's or the users'.

Users play scripted whole journeys (bench/tg_script.py): each sends an update, waits until the turn's
messages have arrived, thinks, and sends the next. Both bots receive the same updates and send the same
messages (texts, keyboards, photos, the answerCallbackQuery and the edit of a pressed message).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import random
import signal
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.engine_bench import percentile
from bench.tg_script import LANGUAGE, Turn, build_scripts
from fake_telegram import updates as U
from fake_telegram.bot_api import SEND_METHODS, Call, FakeBotApi, max_in_window

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = 24  # distinct journeys; chat c plays journey c % TEMPLATES
CHAT_BASE = TEMPLATES * 100_000
TURN_TIMEOUT = 30.0
_templates: list[list[Turn]] = []


async def templates() -> list[list[Turn]]:
    if not _templates:
        _templates.extend(await build_scripts(TEMPLATES))
    return _templates


def fmt_ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


# ---------------------------------------------------------------------- the fake, watched
class BenchFake(FakeBotApi):
    """The fake Bot API, telling the waiting users when their chat has received enough messages."""

    def __init__(self) -> None:
        super().__init__(username=U.BOT_USERNAME, bot_id=U.BOT_ID)
        self.sends: dict[int, list[float]] = defaultdict(list)
        self.waiters: dict[int, tuple[int, asyncio.Future[None]]] = {}
        self.acks: dict[str, float] = {}
        self.ack_texts: dict[str, str] = {}
        self.ack_waiters: dict[str, asyncio.Future[None]] = {}
        self.last_keyboard: dict[int, dict[str, Any]] = {}

    def _record(self, call: Call) -> None:
        super()._record(call)
        if not call.ok:
            return
        if call.method in SEND_METHODS:
            chat = call.params.get("chat_id")
            times = self.sends[chat]
            times.append(call.time)
            if call.params.get("reply_markup") and isinstance(call.result, dict):
                self.last_keyboard[chat] = call.result
            waiter = self.waiters.get(chat)
            if waiter is not None and len(times) >= waiter[0] and not waiter[1].done():
                waiter[1].set_result(None)
        elif call.method == "answerCallbackQuery":
            callback_id = str(call.params.get("callback_query_id"))
            self.acks[callback_id] = call.time
            self.ack_texts[callback_id] = str(call.params.get("text") or "")
            ack_waiter = self.ack_waiters.pop(callback_id, None)
            if ack_waiter is not None and not ack_waiter.done():
                ack_waiter.set_result(None)


_callback_ids = itertools.count(1)


def make_update(fake: BenchFake, chat: int, turn: Turn) -> tuple[dict[str, Any], str | None]:
    if turn.kind == "text":
        assert turn.text is not None
        if turn.text.startswith("/"):
            return U.make_command(turn.text[1:], chat_id=chat, user_id=chat, language_code=LANGUAGE), None
        return U.make_message(turn.text, chat_id=chat, user_id=chat, language_code=LANGUAGE), None
    message = fake.last_keyboard.get(chat) or {"message_id": 1, "text": "", "reply_markup": None}
    callback_id = f"cb{next(_callback_ids)}"
    assert turn.data is not None
    return U.make_callback(turn.data, chat_id=chat, user_id=chat, message_id=message["message_id"],
                           message_text=message.get("text", ""), reply_markup=message.get("reply_markup"),
                           language_code=LANGUAGE, callback_id=callback_id), callback_id


class Outcome:
    """What the users saw: per turn, (pushed at, first message, last message, first call of any kind)."""

    def __init__(self) -> None:
        self.turns: list[tuple[float, float, float, float]] = []
        self.chats: list[int] = []  # the chat of each turn
        self.lost = 0

    def first_reply(self) -> list[float]:
        return [first - pushed for pushed, first, _last, _any in self.turns]


async def play_turn(fake: BenchFake, chat: int, turn: Turn, outcome: Outcome) -> bool:
    """Send one update, wait for its messages; False when they did not all come."""
    expected = len(turn.sends)
    times = fake.sends[chat]
    before = len(times)
    update, callback_id = make_update(fake, chat, turn)
    future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    if expected:
        fake.waiters[chat] = (before + expected, future)
    pushed = time.monotonic()
    await fake.push_update(update)
    if not expected:
        return True
    try:
        await asyncio.wait_for(future, TURN_TIMEOUT)
    except TimeoutError:
        outcome.lost += before + expected - len(times)
        return False
    finally:
        fake.waiters.pop(chat, None)
    first, last = times[before], times[before + expected - 1]
    ack = fake.acks.get(callback_id or "", first)
    outcome.turns.append((pushed, first, last, min(first, ack)))
    outcome.chats.append(chat)
    return True


class Chats:
    """Chat ids: chat c plays journey c % TEMPLATES."""

    def __init__(self) -> None:
        self._next = itertools.count()

    def new(self) -> int:
        return CHAT_BASE + next(self._next)


async def journey(fake: BenchFake, chat: int, turns: list[Turn], outcome: Outcome, think: Callable[[], float],
                  until: float | None = None) -> None:
    for turn in turns:
        if until is not None and time.monotonic() >= until:
            return
        if not await play_turn(fake, chat, turn, outcome):
            return
        pause = think()
        if pause > 0:
            await asyncio.sleep(pause)


# ---------------------------------------------------------------------- the bot's process
def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                for child in fh.read().split():
                    found += [int(child), *_descendants(int(child))]
    except OSError:
        pass
    return found


def cpu_seconds(pid: int) -> float:
    """CPU of the process and of its live children (the bot draws charts in a helper process)."""
    total = 0
    for each in (pid, *_descendants(pid)):
        try:
            with open(f"/proc/{each}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
        except OSError:
            continue
    return total / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class BotProcess:
    def __init__(self, proc: asyncio.subprocess.Process, stats_path: Path, log_path: Path) -> None:
        self.proc = proc
        self.stats_path = stats_path
        self.log_path = log_path
        self.stats: dict[str, Any] = {}
        self.rss_mb = float("nan")

    @property
    def pid(self) -> int:
        return self.proc.pid

    def cpu(self) -> float:
        return cpu_seconds(self.pid)


@asynccontextmanager
async def bot_process(fake: BenchFake, kind: str, tmp: Path, *, rate_limit: bool, flood_limit: int = 0,
                      trace: bool = False):
    """Start the Alia't bot (kind "aliat") or the bare bot ("bare" on PTB's default client, "bare-aiohttp"
    on the Alia't bot's client); wait until it polls. The flood guard is off (`flood_limit` 0) unless a
    section asks for it: scripted users answer as fast as the bot replies, which no person does. `trace`:
    the Alia't bot stamps the stages of each reply (bench/trace.py), read back in `bot.stats["stamps"]`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALIAT_", "TELEGRAM_"))}
    env.update({"TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_BASE_URL": fake.base_url,
                "PTB_TIMEDELTA": "true", "PYTHONPATH": str(ROOT)})
    stats_path = tmp / f"{kind}-stats.json"
    log_path = tmp / f"{kind}.log"
    if kind == "aliat":
        env.update({"ALIAT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/{kind}.db",
                    "ALIAT_TELEGRAM__RATE_LIMIT": "true" if rate_limit else "false",
                    "ALIAT_TELEGRAM__POLLING_TIMEOUT_SECONDS": "10",
                    "ALIAT_TELEGRAM__FLOOD_MAX_PER_MINUTE": str(flood_limit)})
        if trace:
            env["BENCH_TRACE"] = "1"
        args = ["-m", "bench.bot_proc", str(stats_path)]
    else:
        script = tmp / "bare-script.json"
        script.write_text(json.dumps({"templates": [[t.sends for t in s] for s in await templates()]}))
        args = ["-m", "bench.bare_bot", str(script), *(["--rate-limit"] if rate_limit else []),
                *(["--aiohttp"] if kind == "bare-aiohttp" else [])]
    since = len(fake.calls)
    with open(log_path, "w") as log:
        # A session of its own, as a service runs: Linux's autogroup scheduler shares the CPU between
        # sessions, and on a busy machine the bot would otherwise share one slice with the simulated users.
        proc = await asyncio.create_subprocess_exec(sys.executable, *args, cwd=ROOT, env=env,
                                                    stdout=log, stderr=log, start_new_session=True)
    bot = BotProcess(proc, stats_path, log_path)
    try:
        waiting = asyncio.create_task(fake.wait_for("deleteWebhook", timeout=60, since=since))
        exited = asyncio.create_task(proc.wait())
        await asyncio.wait({waiting, exited}, return_when=asyncio.FIRST_COMPLETED)
        if exited.done():
            waiting.cancel()
            raise RuntimeError(f"{kind} bot exited: {log_path.read_text()[-2000:]}")
        exited.cancel()
        waiting.result()
        await asyncio.sleep(0.3)  # its first getUpdates is under way
        yield bot
    finally:
        if proc.returncode is None:
            bot.rss_mb = peak_rss_mb(proc.pid)
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), 30)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        if stats_path.exists():
            bot.stats = json.loads(stats_path.read_text())


async def warm_up(fake: BenchFake, chats: Chats, journeys: int = 4) -> None:
    """Whole journeys before measuring: imports, caches and connections of the bot are warm."""
    scripts = await templates()
    outcome = Outcome()
    chat_ids = [chats.new() for _ in range(journeys)]
    await asyncio.gather(*(journey(fake, c, scripts[c % TEMPLATES], outcome, lambda: 0.0) for c in chat_ids))
    if outcome.lost:
        raise RuntimeError(f"warm-up lost {outcome.lost} messages: the scripts and the bot disagree")


# ---------------------------------------------------------------------- 2. CPU per turn
async def _cpu_run(kind: str, users: int, rounds: int, seed: int) -> dict[str, Any]:
    scripts = await templates()
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmpdir:
        async with BenchFake() as fake, bot_process(fake, kind, Path(tmpdir), rate_limit=False) as bot:
            chats = Chats()
            await warm_up(fake, chats)
            outcome = Outcome()
            cpu0, wall0 = bot.cpu(), time.monotonic()

            async def user(index: int) -> None:
                await asyncio.sleep(index * 0.02)
                for _ in range(rounds):
                    chat = chats.new()
                    await journey(fake, chat, scripts[chat % TEMPLATES], outcome, lambda: rng.uniform(0.1, 0.5))

            await asyncio.gather(*(user(i) for i in range(users)))
            cpu, wall = bot.cpu() - cpu0, time.monotonic() - wall0
            calls = sum(1 for c in fake.calls if c.method != "getUpdates")
    turns = len(outcome.turns)
    return {"turns": turns, "cpu_s": cpu, "wall_s": wall, "cpu_per_turn_ms": cpu / max(turns, 1) * 1000,
            "lost": outcome.lost, "api_calls": calls, "first_reply_p50_ms": percentile(outcome.first_reply(), .5) * 1000,
            "rss_mb": bot.rss_mb}


async def paired_runs(run: Callable[[str], Any], pairs: int) -> list[dict[str, dict[str, Any]]]:
    """`pairs` runs of each bot, back to back in pairs, so that each pair saw the same state of a shared
    machine, whose speed drifts by ±20 % over minutes. Always Alia't then bare: a bot run straight after
    a run of the same bot was seen to be slower (up to half the throughput), whichever the bot. Each
    "pair" also holds a run of the bare bot on the Alia't bot's HTTP client (kind "bare-aiohttp"), for
    the figure that leaves the client out."""
    done: list[dict[str, dict[str, Any]]] = []
    for _ in range(pairs):
        done.append({kind: await run(kind) for kind in KINDS})
    return done


KINDS = ("aliat", "bare", "bare-aiohttp")


@dataclass
class Comparison:
    """One measure over the pairs: the median pair (its Alia't and bare runs, their ratio), every pair's
    ratio, every run's figure per bot, and the ratio against the bare bot on the same client."""

    aliat: dict[str, Any]
    bare: dict[str, Any]
    ratio: float
    ratios: list[float]
    every: dict[str, list[float]]
    same: float
    same_ratios: list[float]
    lost: int


def compare(pairs: list[dict[str, dict[str, Any]]], metric: str, digits: int) -> Comparison:
    chosen, ratios = median_pair(pairs, lambda p: p["aliat"][metric] / p["bare"][metric])
    same_ratios = [p["aliat"][metric] / p["bare-aiohttp"][metric] for p in pairs]
    return Comparison(aliat=chosen["aliat"], bare=chosen["bare"],
                      ratio=chosen["aliat"][metric] / chosen["bare"][metric], ratios=ratios,
                      every={kind: [round(p[kind][metric], digits or None) for p in pairs] for kind in KINDS},
                      same=sorted(same_ratios)[(len(same_ratios) - 1) // 2], same_ratios=same_ratios,
                      lost=sum(r["lost"] for p in pairs for r in p.values()))


def rounded(ratios: list[float]) -> list[float]:
    return [round(r, 2) for r in ratios]


def median_pair(pairs: list[dict[str, dict[str, Any]]], ratio: Callable[[dict[str, dict[str, Any]]], float]
                ) -> tuple[dict[str, dict[str, Any]], list[float]]:
    """The pair with the median ratio (the lower middle one for an even count), and every pair's ratio."""
    ratios = [ratio(p) for p in pairs]
    order = sorted(range(len(pairs)), key=lambda i: ratios[i])
    return pairs[order[(len(order) - 1) // 2]], ratios


async def cpu_per_turn(quick: bool = False) -> dict[str, Any]:
    """Both bots on the same journeys, in pairs of back-to-back runs; the verdict is the median pair's
    ratio (every run is kept in the results)."""
    users, rounds, pairs = (20, 1, 1) if quick else (40, 2, 3)
    runs = await paired_runs(lambda kind: _cpu_run(kind, users, rounds, seed=1), pairs)
    c = compare(runs, "cpu_per_turn_ms", 2)
    rss = max(p["aliat"]["rss_mb"] for p in runs)
    return {"aliat": c.aliat, "bare": c.bare, "ratio": c.ratio, "pair_ratios": c.ratios,
            "runs_cpu_per_turn_ms": c.every, "same_client_ratio": c.same, "same_client_pair_ratios": c.same_ratios,
            "rows": [
                ("Alia't bot CPU per turn", f"{c.aliat['cpu_per_turn_ms']:.2f} ms", "-",
                 f"{c.aliat['turns']} turns; runs {c.every['aliat']}"),
                ("bare PTB bot CPU per turn", f"{c.bare['cpu_per_turn_ms']:.2f} ms", "-", f"runs {c.every['bare']}"),
                ("CPU per turn, Alia't / bare (median pair)", f"{c.ratio:.2f}x", "<= 1.5x",
                 ("ok" if c.ratio <= 1.5 and not c.lost else "MISSED") + f"; pairs {rounded(c.ratios)}"),
                ("CPU per turn, Alia't / bare on aiohttp too", f"{c.same:.2f}x", "-",
                 f"the logic's cost alone; runs {c.every['bare-aiohttp']} ms, pairs {rounded(c.same_ratios)}"),
                ("Alia't bot peak RSS", f"{rss:.0f} MB", "< 200 MB", "ok" if rss < 200 else "MISSED"),
            ]}


# ---------------------------------------------------------------------- 4. ceiling
async def _ceiling_run(kind: str, users: int, seconds: float) -> dict[str, Any]:
    scripts = await templates()
    with tempfile.TemporaryDirectory() as tmpdir:
        async with BenchFake() as fake, bot_process(fake, kind, Path(tmpdir), rate_limit=False) as bot:
            chats = Chats()
            await warm_up(fake, chats)
            outcome = Outcome()
            ramp = 2.0
            start = time.monotonic()
            until = start + ramp + seconds

            async def user(index: int) -> None:
                await asyncio.sleep(index * ramp / users)
                while time.monotonic() < until:
                    chat = chats.new()
                    await journey(fake, chat, scripts[chat % TEMPLATES], outcome, lambda: 0.0, until=until)

            tasks = [asyncio.create_task(user(i)) for i in range(users)]
            await asyncio.sleep(ramp)
            cpu0, own0, t0 = bot.cpu(), time.process_time(), time.monotonic()
            await asyncio.sleep(seconds)
            cpu1, own1, t1 = bot.cpu(), time.process_time(), time.monotonic()
            await asyncio.gather(*tasks)
    done = [last for _p, _f, last, _a in outcome.turns if t0 <= last < t1]
    window = t1 - t0
    return {"turns_per_s": len(done) / window, "bot_cpu_util": (cpu1 - cpu0) / window,
            "driver_cpu_util": (own1 - own0) / window, "lost": outcome.lost,
            "turn_p50_ms": percentile([last - p for p, _f, last, _a in outcome.turns], .5) * 1000}


async def ceiling(quick: bool = False) -> dict[str, Any]:
    """Turns per second each bot sustains, in pairs of back-to-back runs; the median pair's ratio counts."""
    users, seconds, pairs = (60, 6.0, 1) if quick else (100, 10.0, 5)
    runs = await paired_runs(lambda kind: _ceiling_run(kind, users, seconds), pairs)
    c = compare(runs, "turns_per_s", 0)
    return {"aliat": c.aliat, "bare": c.bare, "ratio": c.ratio, "pair_ratios": c.ratios,
            "runs_turns_per_s": c.every, "same_client_ratio": c.same, "same_client_pair_ratios": c.same_ratios,
            "rows": [
                ("Alia't turns/s (rate limit off)", f"{c.aliat['turns_per_s']:.0f}", "-",
                 f"bot CPU {c.aliat['bot_cpu_util']:.0%}; runs {c.every['aliat']}"),
                ("bare PTB bot turns/s", f"{c.bare['turns_per_s']:.0f}", "-",
                 f"bot CPU {c.bare['bot_cpu_util']:.0%}; runs {c.every['bare']}"),
                ("ceiling, Alia't / bare (median pair)", f"{c.ratio:.2f}", ">= 0.8",
                 ("ok" if c.ratio >= 0.8 and not c.lost else "MISSED") + f"; pairs {rounded(c.ratios)}"),
                ("ceiling, Alia't / bare on aiohttp too", f"{c.same:.2f}", "-",
                 f"the logic's cost alone; runs {c.every['bare-aiohttp']}, pairs {rounded(c.same_ratios)}"),
            ]}


# ---------------------------------------------------------------------- 3. workshop burst
def _dist(values: list[float]) -> dict[str, float]:
    return {"n": len(values), "p50_ms": percentile(values, .5) * 1000, "p90_ms": percentile(values, .9) * 1000,
            "p99_ms": percentile(values, .99) * 1000, "max_ms": max(values, default=float("nan")) * 1000}


TRAINER_ID = 7001
GROUP_ID = U.DEFAULT_GROUP_ID
PARTICIPANT_BASE = 900_000


async def add_trainer(tmp: Path) -> None:
    """The bot's database, migrated, with the workshop's trainer in it (as `aliat trainers add` does)."""
    from bench.engine_bench import settings_for
    from bot.app.runtime import build_runtime
    from bot.store import workshops

    runtime = await build_runtime(settings_for(f"sqlite+aiosqlite:///{tmp}/aliat.db"))
    try:
        async with runtime.sessionmaker() as session:
            await workshops.add_trainer(session=session, telegram_user_id=TRAINER_ID, name="Formadora")
            await session.commit()
    finally:
        await runtime.close()


def _group_message_with(fake: BenchFake, prefix: str) -> dict[str, Any] | None:
    """The newest message of the bot in the group with a button whose data starts with `prefix`."""
    found = [m for (chat, _), m in fake.messages.items() if chat == GROUP_ID and any(
        b.get("callback_data", "").startswith(prefix)
        for row in (m.get("reply_markup") or {}).get("inline_keyboard") or [] for b in row)]
    return max(found, key=lambda m: m["message_id"]) if found else None


async def _until(check: Callable[[], Any], timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (found := check()):
        if time.monotonic() > deadline:
            raise RuntimeError("the workshop did not start in the bench")
        await asyncio.sleep(0.02)
    return found


async def open_factor_card(fake: BenchFake) -> tuple[int, int]:
    """The trainer starts a workshop on the success factors in the group: (workshop id, card message id)."""
    await fake.push_update(U.make_command("workshop", addressed=True, chat_id=GROUP_ID, user_id=TRAINER_ID,
                                          language_code=LANGUAGE))
    choice = await _until(lambda: _group_message_with(fake, "ws:p:"))
    await fake.push_update(U.make_callback(f"ws:p:factors:{LANGUAGE}", chat_id=GROUP_ID, user_id=TRAINER_ID,
                                           message_id=choice["message_id"], language_code=LANGUAGE))
    card = await _until(lambda: _group_message_with(fake, "ws:r:"))
    data = card["reply_markup"]["inline_keyboard"][0][0]["callback_data"]  # ws:r:<workshop>:<step>:<value>
    return int(data.split(":")[2]), card["message_id"]


async def rate(fake: BenchFake, user: int, data: str, card_id: int, outcome: Outcome) -> str | None:
    """A participant presses a rating on the card; returns the toast the bot answered with."""
    callback_id = f"cb{next(_callback_ids)}"
    update = U.make_callback(data, chat_id=GROUP_ID, user_id=user, message_id=card_id, language_code=LANGUAGE,
                             callback_id=callback_id)
    future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    fake.ack_waiters[callback_id] = future
    pushed = time.monotonic()
    await fake.push_update(update)
    try:
        await asyncio.wait_for(future, TURN_TIMEOUT)
    except TimeoutError:
        fake.ack_waiters.pop(callback_id, None)
        outcome.lost += 1
        return None
    acked = fake.acks[callback_id]
    outcome.turns.append((pushed, acked, acked, acked))
    outcome.chats.append(user)
    return fake.ack_texts.get(callback_id)


async def burst(quick: bool = False) -> dict[str, Any]:
    """A workshop in a group: 200 participants rate a success-factor card on their phones within 10 s,
    while 60 entities are mid-journey in private chats; the rate limiter is on.

    A participant's first reply is the toast answering their press ("Anotat: 3 · ..."); the room sees
    the card's tally, edited at most every few seconds. An entity's first reply is the answer to its
    button press, or its first message when it typed.
    """
    participants, window, entities = (100, 5.0, 30) if quick else (200, 10.0, 60)
    scripts = await templates()
    rng = random.Random(3)
    with tempfile.TemporaryDirectory() as tmpdir:
        await add_trainer(Path(tmpdir))
        async with BenchFake() as fake, bot_process(fake, "aliat", Path(tmpdir), rate_limit=True) as bot:
            chats = Chats()
            await warm_up(fake, chats, journeys=2)
            workshop_id, card_id = await open_factor_card(fake)
            calls_before = len(fake.calls)
            entity_outcome, crowd = Outcome(), Outcome()
            toasts: list[str | None] = []
            lead_in = 6.0
            start = time.monotonic()
            burst_from, burst_to = start + lead_in, start + lead_in + window

            async def entity(index: int) -> None:
                await asyncio.sleep(index * 5.0 / entities)
                while time.monotonic() < burst_to:
                    chat = chats.new()
                    await journey(fake, chat, scripts[chat % TEMPLATES], entity_outcome,
                                  lambda: rng.uniform(3.0, 10.0), until=burst_to)

            async def participant(index: int, at: float) -> None:
                await asyncio.sleep(max(0.0, at - time.monotonic()))
                value = rng.choice("1234")
                toasts.append(await rate(fake, PARTICIPANT_BASE + index, f"ws:r:{workshop_id}:0:{value}", card_id,
                                         crowd))

            cpu0 = bot.cpu()
            await asyncio.gather(*(entity(i) for i in range(entities)),
                                 *(participant(i, burst_from + rng.uniform(0, window)) for i in range(participants)))
            await asyncio.sleep(4.0)  # the last tally edit
            wall = time.monotonic() - start
            cpu = bot.cpu() - cpu0
            calls = fake.calls[calls_before:]
            card_text = fake.messages.get((GROUP_ID, card_id), {}).get("text", "")
        stats = fake_stats(fake, calls)
    counters = bot.stats.get("counters", {})
    noted = sum(1 for t in toasts if t and t.startswith("Anotat"))
    lost = crowd.lost + entity_outcome.lost + counters.get("replies_undelivered", 0) + (participants - noted)
    tally_edits = sum(1 for c in calls if c.ok and c.method == "editMessageText" and c.chat_id == GROUP_ID)
    to_group = max_in_window([c.time for c in calls if c.ok and c.chat_id == GROUP_ID and (
        c.method in SEND_METHODS or c.method.startswith("edit"))], 60.0)
    during = [dur for _s, t0, dur in bot.stats.get("turns", []) if burst_from <= t0 < burst_to + 5]
    first = _dist(crowd.first_reply())
    entity_first = _dist([a - p for p, _f, _l, a in entity_outcome.turns if burst_from <= p < burst_to])
    entity_message = _dist([f - p for p, f, _l, _a in entity_outcome.turns if burst_from <= p < burst_to])
    everyone = _dist([*crowd.first_reply(), *[a - p for p, _f, _l, a in entity_outcome.turns if burst_from <= p < burst_to]])
    engine = _dist(during)
    out = {"participants": participants, "window_s": window, "entities": entities, "wall_s": wall,
           "bot_cpu_s": cpu, "lost": lost, "ratings_noted": noted, "tally_edits": tally_edits,
           "group_calls_per_minute_max": to_group,
           "tally_shows_all": f"{participants}" in card_text, "counters": counters,
           "participant_first_reply": first, "entity_first_reply": entity_first,
           "entity_first_message": entity_message, "first_reply_all": everyone,
           "engine_turn_during_burst": engine, "rate": stats}
    out["rows"] = [
        ("first reply p50/p99, all updates", f"{everyone['p50_ms']:.0f}/{everyone['p99_ms']:.0f} ms", "p99 <= 300 ms",
         "ok" if everyone["p99_ms"] <= 300 else "MISSED"),
        ("participants' toast p50/p99", f"{first['p50_ms']:.0f}/{first['p99_ms']:.0f} ms", "-", "info"),
        ("entities' first reply p50/p99", f"{entity_first['p50_ms']:.0f}/{entity_first['p99_ms']:.0f} ms", "-",
         "info"),
        ("entities' first message p50/p99", f"{entity_message['p50_ms']:.0f}/{entity_message['p99_ms']:.0f} ms",
         "-", "info"),
        ("engine turn during burst p50/p99", f"{engine['p50_ms']:.1f}/{engine['p99_ms']:.1f} ms", "-", "info"),
        ("ratings noted / lost", f"{noted}/{lost}", f"{participants}/0",
         "ok" if noted == participants and lost == 0 else "MISSED"),
        ("max sends/s overall", str(stats["max_per_second"]), "<= 30", "ok" if stats["max_per_second"] <= 30 else "MISSED"),
        ("max sends in 1 s to one chat", str(stats["max_per_second_per_chat"]), "1/s, burst <= 4",
         "ok" if stats["max_per_second_per_chat"] <= 4 else "MISSED"),
        ("max sends+edits/min to the group", str(to_group), "<= 20", "ok" if to_group <= 20 else "MISSED"),
    ]
    return out


def fake_stats(fake: BenchFake, calls: list[Call]) -> dict[str, Any]:
    stats = fake.rate_stats()
    return {"total": stats.total, "max_per_second": stats.max_per_second,
            "max_per_second_per_chat": stats.max_per_second_per_chat,
            "max_per_minute_per_group": stats.max_per_minute_per_group,
            "chats_above_1_per_s": sum(1 for v in stats.per_chat.values() if v > 1),
            "calls": len(calls)}


SECTIONS = {"telegram_cpu": cpu_per_turn, "telegram_burst": burst, "telegram_ceiling": ceiling}
