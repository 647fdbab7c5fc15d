"""Scale-out and faults: two app servers and two task consumers on PostgreSQL and Redis.

A production-like cluster on one machine: two gunicorn app servers on different ports and two
Huey consumers (one also runs the periodic sweeps), sharing a scratch PostgreSQL database and
a Redis that this run starts for itself (so it can stop it without touching anyone else's).
Clients spread a mixed workload across both servers for ``--seconds``:

* register reads: the list with a facet, a search, a record's page, and the API's list;
* staff ideas: votes in a campaign (each person on ideas they have not voted for yet);
* Call & Check: visits recorded by signed-in workers (with the phone's visit key);
* the forum: replies in a watched thread, each sending an immediate email to the watchers.

With ``--faults`` (the default), during the run: a consumer is killed (SIGKILL) and started
again; Redis is killed and started again empty (every queued task and cached page is lost);
the message provider (a stand-in for GOV.UK Notify's API, run by this script) answers 500 for
a while; one app server is taken out of rotation, stopped once its requests are done (SIGTERM:
gunicorn's graceful stop, as a deploy does through the proxy) and started again. Clients that
find a server refusing connections use the other one.

Afterwards the database must hold exactly what the clients were told succeeded, no more and
no less (votes, visits, replies), and every message queued in the run must reach the
provider exactly once (counted by the reference Notify is given; a retry first asks Notify
by that reference whether an earlier attempt got through): queued work is in the database
first (``whatworks.core.queue``), so the sweeps find what the queue lost.
Requests must not fail while Redis is down.

stdout carries one JSON object per line (DESIGN.md "Benchmarks"): throughput and p95 per kind
of request (against the layout floor measured in the same run, before the load) and the
reconciliation counts (``reference`` "expected 0"). Exit 1 with ``--check`` if a count is not
0. A table goes to stderr.

    python bench/scaleout.py --seconds 30           # PostgreSQL from DATABASE_URL
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

# Run as a script, Python puts bench/ first on sys.path, where bench/http.py would shadow
# the standard library's `http` package (urllib needs it). Put the repository root there.
_HERE = Path(__file__).resolve().parent
if sys.path and Path(sys.path[0] or ".").resolve() == _HERE:
    sys.path[0] = str(_HERE.parent)

import urllib.error  # noqa: E402
import urllib.parse  # noqa: E402
import urllib.request  # noqa: E402
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer  # noqa: E402

from bench import _harness as harness  # noqa: E402
from bench import checkins as checkins_bench  # noqa: E402
from bench import ideas as ideas_bench  # noqa: E402
from bench import initiatives as register_bench  # noqa: E402

BENCH = "scaleout"
PLAN_FILE = "scaleout-plan.json"
CLIENTS = 8
RESIDENTS = 400
IDEAS = 60
PEOPLE = 24
REPLIERS = 6
WATCHERS = 3
SEND_LEASE_S = 15  # a message claimed by a killed consumer is retried after this
DRAIN_LIMIT_S = 240  # the periodic sweep runs every minute
CSRF = checkins_bench.CSRF
SEED = 20170401
# Counts, not faults: a fault is expected to cut some requests off and make some retries.
NOT_ZERO = ("messages", "messages retried", "provider refusals", "requests cut off by a fault")


# --- Seed (runs inside Django, in a separate interpreter) -----------------------------------


def seed(n: int) -> None:
    """The register's, Call & Check's and staff ideas' own benchmark seeds (``n`` records)
    and a watched forum thread; the clients' plan goes to a JSON file in the var directory."""
    from django.contrib.auth.hashers import make_password

    from whatworks.forum import services as forum
    from whatworks.forum.models import Board
    from whatworks.organisations.models import Membership, Organisation, Role, User

    var = Path(os.environ["WHATWORKS_VAR_DIR"])
    register_bench.seed(n)  # first: it expects its records to be numbered from 1
    checkins_bench.seed(RESIDENTS)
    os.environ["IDEAS_BENCH_PEOPLE"] = str(PEOPLE)
    ideas_bench.seed(IDEAS)
    checkins_plan = json.loads((var / checkins_bench.PLAN_FILE).read_text())
    ideas_plan = json.loads((var / ideas_bench.SEED_FILE).read_text())

    council = Organisation.objects.create(name="Scale Council", slug="scale", kind="council")
    password = make_password("scale passphrase")
    people = User.objects.bulk_create(
        User(email=f"member{i}@scale.example", full_name=f"Member {i}", password=password)
        for i in range(REPLIERS + WATCHERS)
    )
    Membership.objects.bulk_create(
        Membership(user=p, organisation=council, role=Role.OFFICER) for p in people
    )
    board = Board.objects.create(name="Scale", slug="scale", visibility="public")
    thread = forum.thread_start(
        board=board, author=people[0], title="Under load", body="Replies arrive from two servers."
    )
    for watcher in people[REPLIERS:]:
        forum.frequency_set(user=watcher, frequency="immediate")
        forum.watch_set(user=watcher, kind="thread", on=True, thread=thread)
    repliers = [
        harness.sign_in(person, harness.session_key("reply", i)).split("=", 1)[1]
        for i, person in enumerate(people[:REPLIERS])
    ]
    plan = {
        "visits": checkins_plan,
        "ideas": ideas_plan,
        "forum": {"thread": thread.pk, "sessions": repliers},
    }
    (var / PLAN_FILE).write_text(json.dumps(plan))


def reconcile(plan_file: str, told_file: str, since: str, received_file: str) -> None:
    """Runs inside Django: what the database holds against what the clients were told."""
    from django.db.models import Count, Q

    from whatworks.checkins.models import Visit
    from whatworks.core.models import Message, MessageStatus
    from whatworks.forum.models import Post
    from whatworks.ideas.models import Vote

    plan = json.loads(Path(plan_file).read_text())
    told = json.loads(Path(told_file).read_text())
    visits = set(
        str(u)
        for u in Visit.objects.filter(note="Scale visit").values_list("client_uuid", flat=True)
    )
    replies = set(
        Post.objects.filter(
            thread_id=plan["forum"]["thread"], body__startswith="Reply "
        ).values_list("body", flat=True)
    )
    votes = Vote.objects.filter(campaign_id=plan["ideas"]["campaign"]).count()
    messages = Message.objects.filter(created_at__gte=since)
    counts = messages.aggregate(
        total=Count("id"),
        unsent=Count("id", filter=~Q(status=MessageStatus.SENT)),
        retried=Count("id", filter=Q(attempts__gt=1)),
    )
    received = Counter(json.loads(Path(received_file).read_text()))
    sent = {
        str(reference)
        for reference in messages.filter(status=MessageStatus.SENT).values_list(
            "reference", flat=True
        )
    }
    told_visits, told_replies = set(told["visits"]), set(told["replies"])
    # Cut off by a fault: done or not, the client was not told; either is right.
    cut = told["ambiguous"]
    print(json.dumps({
        "visits lost": len(told_visits - visits),
        "visits not told": len(visits - told_visits - set(cut["visits"])),
        "replies lost": len(told_replies - replies),
        "replies not told": len(replies - told_replies - set(cut["replies"])),
        "votes lost": max(0, told["votes"] - votes),
        "votes not told": max(0, votes - told["votes"] - cut["votes"]),
        "messages": counts["total"],
        "messages unsent": counts["unsent"],
        "messages sent but not received": len(sent - set(received)),
        "messages received but not recorded sent": len(set(received) - sent),
        "messages received twice": sum(1 for n in received.values() if n > 1),
        "messages retried": counts["retried"],
    }))  # fmt: skip


def drained(since: str) -> None:
    """Runs inside Django: prints how many messages of the run are not sent yet."""
    from whatworks.core.models import Message, MessageStatus

    print(Message.objects.filter(created_at__gte=since).exclude(status=MessageStatus.SENT).count())


# --- Processes ---------------------------------------------------------------------------


class OwnPostgres:
    """A PostgreSQL cluster of this run's own (initdb in the work directory, as the postgres
    system user), so that restarting it touches nobody else's databases."""

    BIN = Path("/usr/lib/postgresql")

    def __init__(self, workdir: Path) -> None:
        self.data = workdir / "pgdata"
        self.port = harness._free_port()
        self.bin = self._bin()

    @classmethod
    def _bin(cls) -> Path | None:
        versions = sorted(cls.BIN.glob("*/bin/pg_ctl"))
        return versions[-1].parent if versions else None

    @classmethod
    def available(cls) -> bool:
        return (
            cls._bin() is not None
            and shutil.which("runuser") is not None
            and subprocess.run(["id", "postgres"], capture_output=True).returncode == 0
        )

    def _as_postgres(self, *cmd: str) -> None:
        try:
            done = subprocess.run(["runuser", "-u", "postgres", "--", *cmd],
                                  capture_output=True, text=True, timeout=120)  # fmt: skip
        except subprocess.TimeoutExpired:
            raise harness.BenchError(f"{cmd[0]} did not finish within 120 s.") from None
        if done.returncode:
            raise harness.BenchError(f"{cmd[0]}: {done.stderr.strip()[-1500:]}")

    def start(self) -> str:
        assert self.bin is not None
        self.data.parent.chmod(0o711)  # the postgres user must reach its data directory
        self.data.mkdir()
        shutil.chown(self.data, "postgres", "postgres")
        self.data.chmod(0o700)
        self._as_postgres(str(self.bin / "initdb"), "-D", str(self.data), "-U", "root",
                          "--auth=trust", "--no-sync")  # fmt: skip
        self._pg_ctl("start")
        return f"postgres://root@127.0.0.1:{self.port}/postgres"

    def _pg_ctl(self, action: str, *extra: str) -> None:
        assert self.bin is not None
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories="
                   f"{self.data} -c fsync=off -c max_connections=200")  # fmt: skip
        # -l: the server writes to its log, not to pg_ctl's pipes (which we wait on).
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", "-t", "60",
                          "-l", str(self.data / "server.log"), "-o", options, action,
                          *extra)  # fmt: skip

    def restart(self) -> None:
        self._pg_ctl("restart", "-m", "fast")

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._pg_ctl("stop", "-m", "immediate")


class FakeNotify:
    """A stand-in for GOV.UK Notify's API: counts each message by its reference, and can be
    made to answer 500 for a while, as a provider's outage would."""

    def __init__(self) -> None:
        self.received: Counter[str] = Counter()
        self.ids: dict[str, str] = {}
        self.failing = False
        self.refused = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
                if self._refused():
                    return
                reference = str(body.get("reference"))
                fake.received[reference] += 1
                fake.ids.setdefault(reference, str(uuid.uuid4()))
                self._answer(201, {"id": fake.ids[reference], "reference": reference})

            def do_GET(self) -> None:
                """GET /v2/notifications?reference=…: what a retry asks before sending."""
                if self._refused():
                    return
                query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
                reference = (query.get("reference") or [""])[0]
                found = (
                    [{"id": fake.ids[reference], "reference": reference}]
                    if (reference in fake.ids)
                    else []
                )
                self._answer(200, {"notifications": found, "links": {}})

            def _refused(self) -> bool:
                if fake.failing:
                    fake.refused += 1
                    self._answer(
                        500,
                        {
                            "status_code": 500,
                            "errors": [{"error": "Exception", "message": "Internal server error"}],
                        },
                    )
                return fake.failing

            def _answer(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def fail(self, on: bool) -> None:
        self.failing = on

    def recover(self, at_most_s: float = 120.0) -> None:
        """Work again, but only once the outage has refused at least one attempt: on a busy
        machine no message may reach the provider within the outage's share of a short run,
        and an outage nobody met proves nothing."""
        deadline = time.monotonic() + at_most_s
        while self.refused == 0 and time.monotonic() < deadline:
            time.sleep(0.2)
        self.failing = False

    def stop(self) -> None:
        self.server.shutdown()


class Cluster:
    """Redis, two app servers and two consumers; each can be killed and started again."""

    def __init__(self, env: dict[str, str], workdir: Path, notify: FakeNotify) -> None:
        self.env = env
        self.workdir = workdir
        self.redis_port = harness._free_port()
        self.ports = [harness._free_port(), harness._free_port()]
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        env["REDIS_URL"] = f"redis://127.0.0.1:{self.redis_port}/0"
        env["CACHE_URL"] = env["REDIS_URL"]  # the shared cache goes down with Redis too
        env["HUEY_NAME"] = f"scaleout-{os.getpid()}"
        env["MESSAGE_BACKEND"] = "notify"
        env["NOTIFY_BASE_URL"] = notify.url
        env["NOTIFY_API_KEY"] = f"scaleout-{uuid.uuid4()}-{uuid.uuid4()}"  # Notify's key shape
        env["NOTIFY_DEFAULT_TEMPLATE_ID"] = str(uuid.uuid4())
        env["OUTBOX_RETRY_BASE_SECONDS"] = "1"  # a failed send is tried again within seconds
        env["OUTBOX_SEND_LEASE_SECONDS"] = str(SEND_LEASE_S)

    def _start(self, name: str, cmd: list[str]) -> None:
        log = (self.workdir / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(
            cmd, cwd=harness.REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def start_redis(self) -> None:
        self._start("redis", [
            "redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", str(self.workdir),
        ])  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            probe = subprocess.run(
                ["redis-cli", "-p", str(self.redis_port), "ping"], capture_output=True, text=True
            )
            if probe.stdout.strip() == "PONG":
                return
            time.sleep(0.1)
        raise harness.BenchError("redis-server did not answer PING within 30 s.")

    def start_server(self, index: int) -> None:
        port = self.ports[index]
        self._start(f"app{index}", [
            harness.PYTHON, "-m", "gunicorn", "config.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}",
            "--no-control-socket", "--graceful-timeout", "30",
        ])  # fmt: skip
        harness._wait_until_up(
            f"http://127.0.0.1:{port}{harness.FRAMEWORK_FLOOR.path}",
            self.processes[f"app{index}"],
            self.workdir / f"app{index}.log",
        )

    def start_consumer(self, index: int) -> None:
        # One scheduler only: the periodic sweeps would otherwise run once per consumer.
        extra = [] if index == 0 else ["--no-periodic"]
        self._start(f"consumer{index}", [
            harness.PYTHON, "manage.py", "run_huey", "--workers", "2", "--worker-type", "thread",
            *extra,
        ])  # fmt: skip

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        process = self.processes[name]
        if process.poll() is None:
            os.killpg(process.pid, sig)
            process.wait(timeout=60)

    def stop_all(self) -> None:
        for name in list(self.processes):
            with contextlib.suppress(Exception):
                self.kill(name, signal.SIGTERM if name.startswith("app") else signal.SIGKILL)

    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.ports]


# --- Load --------------------------------------------------------------------------------


class Refused(Exception):
    """The server refused the connection: the request was never seen, so it may go elsewhere."""


class Load:
    """Clients that spread a mixed workload across the servers and record what they were told."""

    def __init__(self, urls: list[str], plan: dict[str, Any], seconds: float) -> None:
        self.rotation = list(urls)  # the servers the load balancer sends new requests to
        self.in_flight: Counter[str] = Counter()
        self.plan = plan
        self.seconds = seconds
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.status: Counter[str] = Counter()
        self.failures: list[str] = []
        self.told: dict[str, Any] = {"visits": [], "replies": [], "votes": 0}
        # Requests cut off by a fault (a server killed, the database restarting) may or may
        # not have been done: the client was told neither way. Kept apart by their ids.
        self.ambiguous: dict[str, Any] = {"visits": [], "replies": [], "votes": 0, "reads": []}
        self.faulting = False
        self.faults_done = threading.Event()
        self.elapsed = seconds
        self.voted: dict[int, set[int]] = defaultdict(set)

    def _send(self, base: str, method: str, path: str, cookie: str = "", body: Any = None,
              accept: str = "text/html") -> tuple[int, bytes]:  # fmt: skip
        headers = {"Accept": accept, "Cookie": f"{cookie}; csrftoken={CSRF}".lstrip("; ")}
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body).encode()
            headers.update({
                "X-CSRFToken": CSRF, "Content-Type": "application/x-www-form-urlencoded",
                "Referer": base + "/",
            })  # fmt: skip
        request = urllib.request.Request(base + path, data=data, headers=headers, method=method)
        try:
            with NO_REDIRECTS.open(request, timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()
        except urllib.error.URLError as error:
            if isinstance(error.reason, ConnectionRefusedError):
                raise Refused from None
            raise

    def drain(self, url: str, then: Any) -> None:
        """What a load balancer does before a server stops: no new requests go to it, the
        ones it is serving finish, then it is stopped."""
        with self.lock:
            self.rotation.remove(url)
        deadline = time.monotonic() + 60
        while self.in_flight[url] and time.monotonic() < deadline:
            time.sleep(0.05)
        then()

    def request(self, kind: str, method: str, path: str, **kw: Any) -> tuple[int, bytes]:
        """Send to a server in rotation; if it refuses the connection, to another one.

        The server is chosen and counted as busy in one step, so a drain that has taken it
        out of rotation waits for every request that chose it."""
        tried: set[str] = set()
        started = time.perf_counter()
        while True:
            with self.lock:
                choices = [url for url in self.rotation if url not in tried]
                if not choices:
                    raise Refused
                base = random.choice(choices)
                self.in_flight[base] += 1
            try:
                status, body = self._send(base, method, path, **kw)
                break
            except Refused:
                tried.add(base)
            finally:
                with self.lock:
                    self.in_flight[base] -= 1
        with self.lock:
            self.latency[kind].append((time.perf_counter() - started) * 1000)
            self.status[f"{kind} {status}"] += 1
        return status, body

    def _fail(self, text: str, kind: str = "", key: Any = None) -> None:
        """A request that did not succeed: during a fault, an outcome the client was not
        told (kept by ``key`` so reconciling allows either); otherwise a failure."""
        with self.lock:
            if self.faulting and kind:
                if kind == "votes":
                    self.ambiguous["votes"] += 1
                else:
                    self.ambiguous[kind].append(key)
                self.status["cut off by a fault"] += 1
            else:
                self.failures.append(text)

    def fault(self, on: bool) -> None:
        with self.lock:
            self.faulting = on

    def read(self, rng: random.Random) -> None:
        path = rng.choice([
            f"/initiatives/?{register_bench.FACETS}",
            f"/initiatives/?q={register_bench.SEARCH_WORD}&{register_bench.FACETS}",
            "/initiatives/", "/api/initiatives?page=2",
        ])  # fmt: skip
        status, _ = self.request("read", "GET", path)
        if status != 200:
            self._fail(f"read {path}: {status}", "reads")

    def vote(self, rng: random.Random) -> None:
        ideas = self.plan["ideas"]
        index = rng.randrange(len(ideas["participants"]))
        with self.lock:
            left = [i for i in ideas["ideas"] if i not in self.voted[index]]
            if not left:
                return
            idea = rng.choice(left)
            self.voted[index].add(idea)  # claimed before sending: never two at once
        person = ideas["participants"][index]
        path = f"/ideas/{ideas['campaign']}/ideas/{idea}/vote/"
        try:
            status, _ = self.request("vote", "POST", path, cookie=person["cookie"], body={})
        except Exception as error:  # cut off: the vote may or may not have been counted
            self._fail(f"vote: {type(error).__name__}: {error}", "votes")
            return
        if status == 302:
            with self.lock:
                self.told["votes"] += 1
        else:
            self._fail(f"vote: {status}", "votes")

    def visit(self, rng: random.Random) -> None:
        plan = self.plan["visits"]
        client = rng.choice(plan["clients"])
        questions = plan["questions"][str(plan["round_scheme"][str(client["round"])])]
        outcome = rng.choices(["well", "concern", "no_answer"], [80, 10, 10])[0]
        body: dict[str, Any] = {
            "client_uuid": str(uuid.uuid4()),
            "resident": rng.choice(client["residents"]),
            "outcome": outcome,
            "note": "Scale visit",
        }
        if outcome != "no_answer":
            for code in ("how_are_you", "ons_lonely"):
                pk, options = questions[code]
                body[f"answer_{pk}"] = rng.choice(options)
        path = f"/checkins/rounds/{client['round']}/visits/"
        cookie = f"sessionid={client['session']}"
        try:
            status, _ = self.request("visit", "POST", path, cookie=cookie, body=body,
                                     accept="application/json")  # fmt: skip
        except Exception as error:
            self._fail(f"visit: {type(error).__name__}: {error}", "visits", body["client_uuid"])
            return
        if status == 201:
            with self.lock:
                self.told["visits"].append(body["client_uuid"])
        else:
            self._fail(f"visit: {status}", "visits", body["client_uuid"])

    def reply(self, rng: random.Random) -> None:
        forum = self.plan["forum"]
        text = f"Reply {uuid.uuid4().hex}"
        cookie = f"sessionid={rng.choice(forum['sessions'])}"
        path = f"/forum/threads/{forum['thread']}/reply/"
        try:
            status, page = self.request("reply", "POST", path, cookie=cookie, body={"body": text})
        except Exception as error:
            self._fail(f"reply: {type(error).__name__}: {error}", "replies", text)
            return
        if status == 302:
            with self.lock:
                self.told["replies"].append(text)
        elif status == 200 and b"You have posted" in page:
            pass  # the forum's posting limit refused it, and said so: not told it was saved
        else:
            self._fail(f"reply: {status}", "replies", text)

    def client(self, index: int, until: float) -> None:
        rng = random.Random(SEED + index)
        work = [self.read, self.read, self.read, self.vote, self.visit, self.visit, self.reply]
        # The load goes on until the time is up and every fault has been injected under it.
        while time.monotonic() < until or not self.faults_done.is_set():
            operation = rng.choice(work)
            try:
                operation(rng)
            except Exception as error:  # a read cut off: nothing to reconcile
                self._fail(f"{operation.__name__}: {type(error).__name__}: {error}", "reads")

    def run(self, faults: list[tuple[float, str, Any]]) -> None:
        start = time.monotonic()
        until = start + self.seconds
        threads = [
            threading.Thread(target=self.client, args=(i, until), daemon=True)
            for i in range(CLIENTS)
        ]
        for thread in threads:
            thread.start()
        for at, what, action in faults:
            pause = start + at * self.seconds - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            print(f"  t={time.monotonic() - start:5.1f} s  {what}", file=sys.stderr)
            action()
        if faults:
            time.sleep(2)  # some load after the last fault: the service has recovered
        self.faults_done.set()
        for thread in threads:
            thread.join(timeout=self.seconds + 300)
        self.elapsed = time.monotonic() - start


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a 302 is the answer we record, not something to follow


NO_REDIRECTS = urllib.request.build_opener(_NoRedirect)


# --- Entry point -------------------------------------------------------------------------


def _django(env: dict[str, str], call: str) -> str:
    code = f"import django; django.setup(); from bench.scaleout import *; {call}"
    return harness._run([harness.PYTHON, "-c", code], env, call.split("(")[0]).strip()


def _kill_app0(cluster: Cluster, load: Load) -> None:
    load.fault(True)
    cluster.kill("app0")


def _restart_app0(cluster: Cluster, load: Load) -> None:
    time.sleep(1)  # down for a moment at least, even when the run is behind its schedule
    cluster.start_server(0)
    time.sleep(1)  # requests already cut off have reported
    load.fault(False)


def _restart_postgres(postgres: OwnPostgres, load: Load) -> None:
    load.fault(True)
    postgres.restart()
    time.sleep(2)  # each worker's next request finds its old connection gone and reconnects
    load.fault(False)


def _faults(
    cluster: Cluster, load: Load, notify: FakeNotify, postgres: OwnPostgres | None
) -> list[tuple[float, str, Any]]:
    restart = [] if postgres is None else [
        (0.84, "restart PostgreSQL (fast shutdown: every connection is cut)",
         lambda: _restart_postgres(postgres, load)),
    ]  # fmt: skip
    # One at a time, in this order (each waits for the one before).
    return [
        (0.06, "kill -9 consumer 0 (it runs the scheduler)", lambda: cluster.kill("consumer0")),
        (0.12, "start consumer 0 again", lambda: cluster.start_consumer(0)),
        (0.18, "kill -9 Redis (every queued task is lost)", lambda: cluster.kill("redis")),
        (0.32, "start Redis again, empty", cluster.start_redis),
        (0.38, "the message provider fails (answers 500)", lambda: notify.fail(True)),
        (0.50, "the message provider works again, once it has refused an attempt", notify.recover),
        (0.54, "take app server 1 out of rotation, then stop it (graceful)",
         lambda: load.drain(cluster.urls()[1], then=lambda: cluster.kill("app1", signal.SIGTERM))),
        (0.62, "start app server 1 again, back in rotation",
         lambda: (cluster.start_server(1), load.rotation.append(cluster.urls()[1]))),
        (0.68, "kill -9 app server 0 (its requests in progress are cut off)",
         lambda: _kill_app0(cluster, load)),
        (0.76, "start app server 0 again", lambda: _restart_app0(cluster, load)),
        *restart,
    ]  # fmt: skip


def _floor(urls: list[str]) -> float:
    """p95 of the layout floor, in ms, from 200 sequential requests spread over both servers."""
    times = []
    for i in range(200):
        started = time.perf_counter()
        with urllib.request.urlopen(urls[i % 2] + harness.LAYOUT_FLOOR.path, timeout=30) as r:
            r.read()
        times.append((time.perf_counter() - started) * 1000)
    return float(statistics.quantiles(times, n=20)[-1])


def _lines(load: Load, seconds: float, floor_p95: float, checks: dict[str, int]) -> list[dict]:
    lines: list[dict[str, Any]] = [{
        "bench": BENCH, "metric": "layout floor p95 (sequential)", "value": round(floor_p95, 3),
        "unit": "ms", "reference": "none", "ratio": None, "n": 200,
    }]  # fmt: skip
    for kind, times in sorted(load.latency.items()):
        p95 = statistics.quantiles(times, n=20)[-1] if len(times) >= 2 else times[0]
        lines.append({
            "bench": BENCH, "metric": f"{kind} p95 under load", "value": round(p95, 3),
            "unit": "ms", "reference": "layout floor p95 (sequential)",
            "ratio": round(p95 / floor_p95, 3) if floor_p95 else None, "n": len(times),
        })  # fmt: skip
        lines.append({
            "bench": BENCH, "metric": f"{kind} throughput", "value": round(len(times) / seconds, 3),
            "unit": "req/s", "reference": "none", "ratio": None, "n": len(times),
        })  # fmt: skip
    for name, value in checks.items():
        lines.append({
            "bench": BENCH, "metric": name, "value": value, "unit": "count",
            "reference": "none" if name in NOT_ZERO else "expected 0",
            "ratio": None, "n": 1,
        })  # fmt: skip
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--records", type=int, default=300, help="public records to read")
    parser.add_argument("--no-faults", dest="faults", action="store_false")
    parser.add_argument("--check", action="store_true", help="exit 1 if a count is not 0")
    args = parser.parse_args(argv)
    if shutil.which("redis-server") is None:
        print("bench scaleout: redis-server is not installed.", file=sys.stderr)
        return 2
    options = harness.Options(seconds=args.seconds, rounds=1, warmup=0, database="postgres",
                              n=args.records, check=args.check, timeout=None)  # fmt: skip
    signal.signal(signal.SIGTERM, harness._raise_exit)
    with tempfile.TemporaryDirectory(prefix="whatworks-scaleout-") as tmp:
        workdir = Path(tmp)
        var = workdir / "var"
        var.mkdir()
        env = harness._site_env(var)
        notify = FakeNotify()
        cluster = Cluster(env, workdir, notify)
        postgres = OwnPostgres(workdir) if OwnPostgres.available() else None
        try:
            if postgres is not None:  # a cluster of its own, so it can be restarted
                os.environ["DATABASE_URL"] = postgres.start()
            else:
                print("bench scaleout: no PostgreSQL of its own (initdb and a postgres user "
                      "are needed): the database restart is left out", file=sys.stderr)  # fmt: skip
            with harness.scratch_database(options, env) as database:
                print(f"bench scaleout: {database}, seeding", file=sys.stderr)
                harness.migrate(env)
                harness._manage(env, "collectstatic", "--no-input", "-v", "0")
                harness._seed(env, seed, args.records)
                since = _django(
                    env, "from django.utils import timezone; print(timezone.now().isoformat())"
                )
                cluster.start_redis()
                cluster.start_server(0)
                cluster.start_server(1)
                cluster.start_consumer(0)
                cluster.start_consumer(1)
                floor_p95 = _floor(cluster.urls())
                plan = json.loads((var / PLAN_FILE).read_text())
                load = Load(cluster.urls(), plan, args.seconds)
                print(f"bench scaleout: {CLIENTS} clients for {args.seconds:g} s", file=sys.stderr)
                load.run(_faults(cluster, load, notify, postgres) if args.faults else [])
                told = workdir / "told.json"
                told.write_text(json.dumps({**load.told, "ambiguous": load.ambiguous}))
                deadline = time.monotonic() + DRAIN_LIMIT_S
                while int(_django(env, f"drained({since!r})")) and time.monotonic() < deadline:
                    time.sleep(5)
                received = workdir / "received.json"
                received.write_text(json.dumps(notify.received))
                checks = json.loads(_django(env, (
                    f"reconcile({str(var / PLAN_FILE)!r}, {str(told)!r}, {since!r}, "
                    f"{str(received)!r})"
                )))  # fmt: skip
                checks["provider refusals"] = notify.refused
                checks["requests cut off by a fault"] = load.status["cut off by a fault"]
                checks["requests failed"] = len(load.failures)
        except harness.BenchError as error:
            print(f"bench scaleout: {error}", file=sys.stderr)
            for log in sorted(workdir.glob("*.log")):
                tail = harness._tail(log.read_text(errors="replace"), 15)
                print(f"--- {log.name} (tail)\n{tail}", file=sys.stderr)
            return 2
        finally:
            cluster.stop_all()
            notify.stop()
            if postgres is not None:
                postgres.stop()
    for line in _lines(load, load.elapsed, floor_p95, checks):
        print(json.dumps(line))
    print("status: " + ", ".join(f"{k} {v}" for k, v in sorted(load.status.items())),
          file=sys.stderr)  # fmt: skip
    for failure in load.failures[:20]:
        print(f"  failed: {failure}", file=sys.stderr)
    # Lost, extra, unsent or doubled work, or failed requests. Retries are expected (the
    # provider's outage); what must not happen is a message reaching the provider twice.
    bad = {k: v for k, v in checks.items() if k not in NOT_ZERO and v}
    print(f"bench scaleout: {'ok' if not bad else 'MISMATCH ' + str(bad)}", file=sys.stderr)
    return 1 if (bad and args.check) else 0


if __name__ == "__main__":
    sys.exit(main())
