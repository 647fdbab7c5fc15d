"""Shared machinery for page benchmarks: a fresh site under gunicorn, load from wrk, JSON out.

A benchmark module (bench/http.py, later bench/forum.py, ...) gives a seeding function and
the pages to measure, and calls `main()`:

    def seed(n: int) -> None: ...      # runs inside Django (imports models in its body)
    PAGES = [Page("home", "/"), ...]
    sys.exit(main("http", PAGES, seed, default_n=500, target_ratio=3.0))

What `main()` does, and why:
- A fresh database for every run (SQLite in a temporary var/ dir, or a scratch PostgreSQL
  database that is dropped afterwards), so figures never depend on someone's local data.
- Production-like serving: DEBUG off, collectstatic with the manifest storage, gunicorn with
  two sync workers. The load comes from wrk, not Python: a Python client on a 2-core machine
  steals a core from the server and distorts the figures (DESIGN.md "Recipes").
- Every figure is compared with a reference measured in the same run (the framework floor
  `/_floor/text` and the layout floor `/_floor/layout`), because the machines are noisy; the
  pages are interleaved within each round so that noise hits them all equally, and each
  figure is the median across rounds.
- Any non-2xx response, socket error or timeout fails the run: a page that errors is fast
  for the wrong reason.

stdout carries only JSON lines (DESIGN.md "Benchmarks"); the human summary goes to stderr.
Exit codes: 0 ran (targets reported, not enforced), 1 `--check` and a target missed,
2 the harness itself failed.

Environment: BENCH_SECONDS, BENCH_ROUNDS, BENCH_WARMUP, BENCH_TIMEOUT (defaults for the
CLI flags); DATABASE_URL with a postgres:// URL picks PostgreSQL and names the server on
which the scratch database is created (its own database is never touched).
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import hashlib
import inspect
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import string
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlparse, urlunparse

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
APP_CSS = REPO / "whatworks" / "ui" / "static" / "build" / "app.css"

CONNECTIONS = 10
WORKERS = 2
# Generous per-request timeout: a slow page must show up as slow, not vanish as a timeout.
REQUEST_TIMEOUT_S = 10
STARTUP_TIMEOUT_S = 120.0  # a hang guard: a busy machine starts 4 workers slowly
STEP_TIMEOUT_S = 300.0


class BenchError(RuntimeError):
    """The harness could not produce trustworthy figures; the run fails loudly."""


@dataclass(frozen=True)
class Page:
    name: str  # used in metric names: "<name> p95"
    path: str
    # Extra request headers ("Cookie: sessionid=..."), passed to wrk as -H options, so a page
    # behind sign-in can be measured with a session the seed created.
    headers: tuple[str, ...] = ()


def session_key(name: str, index: int = 0) -> str:
    """A fixed session key (32 characters of [a-z0-9]) that a seed and the pages agree on."""
    key = f"{name.lower()}{index:0{32 - len(name)}d}"
    if len(key) != 32 or not key.isalnum():
        raise BenchError(f"A session key is 32 letters and digits, not {key!r}.")
    return key


def sign_in(user: Any, key: str, **data: Any) -> str:
    """Create a signed-in session for ``user`` under ``key`` (call inside a seed, in Django);
    ``data`` adds to the session (a two-factor flag, say). Returns the Cookie header for Page."""
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()  # data first: with a key set, a read would look it up and reset it
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.update(data)
    session._session_key = key
    session.save(must_create=True)
    return cookie(key)


def cookie(key: str) -> str:
    return f"Cookie: sessionid={key}"


FRAMEWORK_FLOOR = Page("framework floor", "/_floor/text")
LAYOUT_FLOOR = Page("layout floor", "/_floor/layout")


@dataclass(frozen=True)
class Options:
    seconds: float
    rounds: int
    warmup: float
    database: str  # "sqlite" or "postgres"
    n: int
    check: bool
    timeout: float | None  # whole-run bound in seconds; None: derived from the others


@dataclass(frozen=True)
class Sample:
    """One wrk run against one URL."""

    p50_ms: float
    p95_ms: float
    p99_ms: float
    rps: float
    requests: int


# Latency comes back in microseconds. `response` sees every reply, so the status check
# covers all of them (wrk's own summary counts only statuses >= 400 as errors, not 3xx).
# Each wrk thread has its own Lua state, hence the per-thread counters read in done().
WRK_SCRIPT = r"""
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
  first_bad = 0
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if first_bad == 0 then first_bad = status end
  end
end

function done(summary, latency, requests)
  local bad, first = 0, 0
  for _, t in ipairs(threads) do
    bad = bad + t:get("non2xx")
    if first == 0 then first = t:get("first_bad") end
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, '
    .. '"non2xx": %d, "first_bad_status": %d, "connect": %d, "read": %d, "write": %d, '
    .. '"timeout": %d}\n',
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    bad, first, e.connect, e.read, e.write, e.timeout))
end
"""


# --- Options ---------------------------------------------------------------------------


def _env_number(name: str, default: float, cast: Callable[[str], Any]) -> Any:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return cast(raw)
    except ValueError:
        raise BenchError(f"{name} must be a number; got {raw!r}.") from None


def _default_database() -> str:
    scheme = urlparse(os.environ.get("DATABASE_URL", "").strip()).scheme
    return "postgres" if scheme.startswith("postgres") else "sqlite"


def parse_options(argv: Sequence[str] | None, description: str, default_n: int) -> Options:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--seconds",
        type=float,
        default=_env_number("BENCH_SECONDS", 5.0, float),
        help="length of each measured wrk run (env BENCH_SECONDS; default 5)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=_env_number("BENCH_ROUNDS", 3, int),
        help="measured rounds; figures are medians across them (env BENCH_ROUNDS; default 3)",
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=_env_number("BENCH_WARMUP", 2.0, float),
        help="unmeasured run per URL before the rounds, 0 for none (env BENCH_WARMUP; default 2)",
    )
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgres"],
        default=_default_database(),
        help="sqlite (default) or postgres (default when DATABASE_URL is a postgres:// URL)",
    )
    parser.add_argument(
        "--n", type=int, default=default_n, help=f"size of the seeded data (default {default_n})"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when a page misses its target")
    parser.add_argument(
        "--timeout",
        type=float,
        default=_env_number("BENCH_TIMEOUT", 0.0, float) or None,
        help="bound on the whole run in seconds (env BENCH_TIMEOUT; default: derived)",
    )
    args = parser.parse_args(argv)
    if args.seconds < 1 or args.rounds < 1 or args.warmup < 0 or args.n < 0:
        parser.error("need --seconds >= 1, --rounds >= 1, --warmup >= 0 and --n >= 0")
    return Options(
        seconds=args.seconds,
        rounds=args.rounds,
        warmup=args.warmup,
        database=args.database,
        n=args.n,
        check=args.check,
        timeout=args.timeout,
    )


def run_budget(options: Options, page_count: int) -> float:
    """Seconds the whole run may take: setup, plus twice the load time, as slack for noise."""
    load = page_count * (options.warmup + options.rounds * options.seconds)
    return 180.0 + 2.0 * load


# --- Subprocesses ----------------------------------------------------------------------


def _tail(text: str, lines: int = 30) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _run(cmd: Sequence[str], env: dict[str, str], what: str) -> str:
    try:
        done = subprocess.run(
            cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=STEP_TIMEOUT_S
        )
    except subprocess.TimeoutExpired:
        raise BenchError(f"{what} took longer than {STEP_TIMEOUT_S:.0f} s.") from None
    if done.returncode != 0:
        output = _tail(done.stderr + "\n" + done.stdout)
        raise BenchError(f"{what} failed (exit {done.returncode}):\n{output}")
    return done.stdout


def _manage(env: dict[str, str], *args: str) -> str:
    return _run([PYTHON, "manage.py", *args], env, "manage.py " + " ".join(args))


def _callable_path(fn: Callable[..., Any]) -> tuple[str, str]:
    """(module, name) by which a fresh interpreter in the repository can import `fn`."""
    module = fn.__module__
    if module == "__main__":
        # The benchmark was run as a script; name its module from the file's place in the repo.
        relative = Path(inspect.getfile(fn)).resolve().relative_to(REPO).with_suffix("")
        module = ".".join(relative.parts)
    return module, fn.__qualname__


def _seed(env: dict[str, str], seed: Callable[[int], None], n: int) -> None:
    # A separate interpreter: the benchmark process itself never imports Django, so it stays
    # small and cannot hold database connections open while gunicorn runs.
    module, name = _callable_path(seed)
    code = f"import django; django.setup(); from {module} import {name}; {name}({n!r})"
    _run([PYTHON, "-c", code], env, f"seeding with {module}.{name}({n})")


# --- Database --------------------------------------------------------------------------


def _postgres_server_url() -> str:
    raw = os.environ.get("DATABASE_URL", "").strip()
    if urlparse(raw).scheme.startswith("postgres"):
        return raw
    return f"postgres://{getpass.getuser()}@127.0.0.1:5432/postgres"


def _pg_client_args(url: str) -> tuple[list[str], dict[str, str]]:
    parsed = urlparse(url)
    args = ["-h", parsed.hostname or "127.0.0.1", "-p", str(parsed.port or 5432)]
    if parsed.username:
        args += ["-U", parsed.username]
    extra = {"PGPASSWORD": parsed.password} if parsed.password else {}
    return args, extra


@contextlib.contextmanager
def scratch_database(options: Options, env: dict[str, str]) -> Iterator[str]:
    """Point `env` at an empty database for this run; yield a description of it."""
    if options.database == "sqlite":
        # The settings put the SQLite file under WHATWORKS_VAR_DIR, a temporary directory.
        env.pop("DATABASE_URL", None)
        yield "sqlite"
        return
    server = urlparse(_postgres_server_url())
    name = f"whatworks_bench_{os.getpid()}"
    url = urlunparse(server._replace(path="/" + name))
    client_args, client_env = _pg_client_args(url)
    pg_env = {**env, **client_env}
    # Left over from a killed run with the same pid: start clean.
    _run(["dropdb", *client_args, "--if-exists", "--force", name], pg_env, "dropdb")
    _run(["createdb", *client_args, name], pg_env, f"createdb {name}")
    env["DATABASE_URL"] = url
    try:
        yield f"postgres ({name} on {server.hostname})"
    finally:
        try:
            _run(["dropdb", *client_args, "--if-exists", "--force", name], pg_env, "dropdb")
        except BenchError as error:
            print(f"warning: could not drop {name}: {error}", file=sys.stderr)


#: Empty databases migrated before, one per set of migrations (under var/, not in git).
MIGRATED_DIR = REPO / "var" / "migrated"


def _migrations_fingerprint(env: dict[str, str]) -> str:
    """Changes whenever a migration, Django (its own apps' migrations) or the cache backend
    (migrate makes the cache table) does."""
    from importlib.metadata import version

    digest = hashlib.sha256(version("django").encode())
    digest.update(env.get("CACHE_URL", "").encode())
    for path in sorted(REPO.glob("whatworks/*/migrations/*.py")):
        digest.update(str(path.relative_to(REPO)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def migrate(env: dict[str, str]) -> None:
    """Migrate the empty database `env` points at. A SQLite file is copied from one migrated
    before with the same migrations: Django spends about 13 s rendering migration states,
    for every benchmark and every test that starts a site of its own."""
    if env.get("DATABASE_URL"):
        _manage(env, "migrate", "--no-input", "-v", "0")
        return
    database = Path(env["WHATWORKS_VAR_DIR"]) / "whatworks.sqlite3"
    template = MIGRATED_DIR / f"{_migrations_fingerprint(env)}.sqlite3"
    if template.exists():
        shutil.copyfile(template, database)
        return
    _manage(env, "migrate", "--no-input", "-v", "0")
    MIGRATED_DIR.mkdir(parents=True, exist_ok=True)
    partial = template.with_suffix(f".{os.getpid()}.partial")
    shutil.copyfile(database, partial)
    os.replace(partial, template)  # whole or not at all, if two runs race


# --- Server ----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(
                f"gunicorn exited with {process.returncode}:\n{_tail(log.read_text())}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise BenchError(f"gunicorn did not answer {url} within {STARTUP_TIMEOUT_S:.0f} s.")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()  # gunicorn's graceful stop; it stops its own workers
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        # Its own session (start_new_session), so this reaches only our master and workers.
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@contextlib.contextmanager
def gunicorn(env: dict[str, str], workdir: Path, workers: int = WORKERS) -> Iterator[str]:
    """Serve the site with gunicorn until the block ends; yield its base URL."""
    port = _free_port()
    log = workdir / "gunicorn.log"
    cmd = [PYTHON, "-m", "gunicorn", "config.wsgi", "-w", str(workers), "-b", f"127.0.0.1:{port}"]
    # gunicorn 27 otherwise opens a control socket at one fixed path under ~/.gunicorn, which
    # two runs at once (a bench and the harness test) would fight over.
    cmd.append("--no-control-socket")
    with log.open("wb") as out:
        process = subprocess.Popen(
            cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        base_url = f"http://127.0.0.1:{port}"
        _wait_until_up(base_url + FRAMEWORK_FLOOR.path, process, log)
        yield base_url
    except BenchError as error:
        # Whatever failed under load, the server's own log usually says why.
        raise BenchError(
            f"{error}\n--- gunicorn log (tail) ---\n{_tail(log.read_text(), 12)}"
        ) from None
    finally:
        _stop(process)


def _site_env(var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    # Under pytest the settings would switch to test mode (PYTEST_VERSION), and a REDIS_URL
    # would send task traffic elsewhere; the benchmark measures the production configuration.
    for name in ("PYTEST_VERSION", "REDIS_URL", "HUEY_IMMEDIATE", "SITE_URL"):
        env.pop(name, None)
    alphabet = string.ascii_letters + string.digits
    env.update(
        WHATWORKS_VAR_DIR=str(var_dir),
        DEBUG="0",
        SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(50)),
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL="http://127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        DJANGO_SETTINGS_MODULE=env.get("DJANGO_SETTINGS_MODULE", "config.settings"),
        # Production refuses a per-process cache: BENCH_CACHE_URL (a Redis address) if
        # given, else a table in the scratch database.
        CACHE_URL=os.environ.get("BENCH_CACHE_URL", "database"),
    )
    return env


def _check_static_build() -> None:
    if not APP_CSS.exists():
        raise BenchError(
            f"{APP_CSS.relative_to(REPO)} is missing: build the static files first "
            "(`make static`; `make bench` does it for you)."
        )


@contextlib.contextmanager
def site(options: Options, seed: Callable[[int], None], workdir: Path) -> Iterator[str]:
    """A freshly migrated, seeded site served by gunicorn; yield its base URL."""
    _check_static_build()
    var_dir = workdir / "var"
    var_dir.mkdir()  # the settings expect it to exist (Huey's SQLite file lives there)
    env = _site_env(var_dir)
    with scratch_database(options, env) as database:
        print(f"preparing {database}: migrate, seed n={options.n}, collectstatic", file=sys.stderr)
        migrate(env)
        _seed(env, seed, options.n)
        try:
            _manage(env, "collectstatic", "--no-input", "-v", "0")
        except BenchError as error:
            raise BenchError(
                "collectstatic with the production (manifest) storage failed; the site could "
                f"not be deployed with DEBUG off either.\n{error}"
            ) from None
        with gunicorn(env, workdir) as base_url:
            yield base_url


# --- Load ------------------------------------------------------------------------------


def _parse_wrk(stdout: str, url: str) -> Sample:
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise BenchError(f"wrk printed no result for {url}:\n{_tail(stdout)}")
    data = json.loads(lines[-1])
    requests = int(data["requests"])
    problems = []
    if data["non2xx"]:
        problems.append(f"{data['non2xx']} non-2xx (first: {data['first_bad_status']})")
    for kind in ("connect", "read", "write", "timeout"):
        if data[kind]:
            problems.append(f"{data[kind]} {kind} errors")
    if problems:
        raise BenchError(f"GET {url}: {', '.join(problems)} in {requests} responses.")
    if requests == 0:
        raise BenchError(f"GET {url}: no request completed.")
    return Sample(
        p50_ms=data["p50_us"] / 1000,
        p95_ms=data["p95_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        rps=requests / (data["duration_us"] / 1e6),
        requests=requests,
    )


def wrk(url: str, seconds: float, script: Path, headers: Sequence[str] = ()) -> Sample:
    cmd = [
        "wrk",
        *[option for header in headers for option in ("-H", header)],
        "-t1",
        f"-c{CONNECTIONS}",
        f"-d{seconds:g}s",
        "--latency",
        f"--timeout={REQUEST_TIMEOUT_S}s",
        "-s",
        str(script),
        url,
    ]
    env = dict(os.environ)
    return _parse_wrk(_run(cmd, env, f"wrk {url}"), url)


def _drain(base_url: str) -> None:
    """Wait until the server is idle again.

    When wrk stops after a slow page, gunicorn's sync workers still serve the requests
    queued behind it; the next page measured would wait behind them. One floor request
    answered means the backlog is gone.
    """
    timeout = REQUEST_TIMEOUT_S * CONNECTIONS
    with urllib.request.urlopen(base_url + FRAMEWORK_FLOOR.path, timeout=timeout):
        pass


def measure(
    base_url: str, pages: Sequence[Page], options: Options, script: Path
) -> dict[Page, list[Sample]]:
    if options.warmup > 0:
        # Warms the workers' template and query caches and the database's buffers; discarded
        # but still checked, so a broken page fails before minutes of measuring.
        for page in pages:
            wrk(base_url + page.path, options.warmup, script, page.headers)
            _drain(base_url)
    samples: dict[Page, list[Sample]] = {page: [] for page in pages}
    for round_no in range(options.rounds):
        # Rotate the order too, so no page is always the first after a pause.
        shift = round_no % len(pages)
        for page in [*pages[shift:], *pages[:shift]]:
            samples[page].append(wrk(base_url + page.path, options.seconds, script, page.headers))
            _drain(base_url)
        print(f"round {round_no + 1}/{options.rounds} done", file=sys.stderr)
    return samples


# --- Results ---------------------------------------------------------------------------

# (metric suffix, Sample field, unit)
STATS = (("p50", "p50_ms", "ms"), ("p95", "p95_ms", "ms"), ("p99", "p99_ms", "ms"),
         ("req/s", "rps", "req/s"))  # fmt: skip


def medians(samples: dict[Page, list[Sample]]) -> dict[Page, dict[str, float]]:
    return {
        page: {field: statistics.median(getattr(s, field) for s in runs) for _, field, _ in STATS}
        for page, runs in samples.items()
    }


def _reference_page(page: Page) -> Page | None:
    if page == FRAMEWORK_FLOOR:
        return None
    if page == LAYOUT_FLOOR:
        return FRAMEWORK_FLOOR
    return LAYOUT_FLOOR


def result_lines(bench: str, figures: dict[Page, dict[str, float]], n: int) -> list[dict[str, Any]]:
    lines = []
    for page, values in figures.items():
        reference = _reference_page(page)
        for suffix, field, unit in STATS:
            value = values[field]
            ratio = None
            if reference is not None and figures[reference][field] > 0:
                ratio = float(f"{value / figures[reference][field]:.3g}")  # 3 significant figures
            lines.append(
                {
                    "bench": bench,
                    "metric": f"{page.name} {suffix}",
                    "value": round(value, 3),
                    "unit": unit,
                    # The reference's own metric name, so readers can find its line.
                    "reference": f"{reference.name} {suffix}" if reference else "none",
                    "ratio": ratio,
                    "n": n,
                }
            )
    return lines


def summary(
    bench: str,
    samples: dict[Page, list[Sample]],
    options: Options,
    target_ratio: float,
    workers: int = WORKERS,
) -> tuple[str, list[Page]]:
    """A table for people (stderr) and the pages whose median p95 missed the target.

    The p95 range across rounds is shown beside the median: a wide range means the machine
    was busy and the ratios deserve less trust.
    """
    figures = medians(samples)
    floor_p95 = figures[LAYOUT_FLOOR]["p95_ms"]
    width = max(len(f"{page.name} {page.path}") for page in figures) + 2
    out = [
        f"bench {bench}: n={options.n}, {options.database}, {options.rounds} round(s) of "
        f"{options.seconds:g} s, {CONNECTIONS} connections, {workers} gunicorn workers",
        f"{'page':<{width}}{'p50 ms':>9}{'p95 ms':>9}{'p95 range':>16}{'req/s':>9}"
        f"{'p95/layout':>12}  target",
    ]
    missed = []
    for page, values in figures.items():
        ratio = values["p95_ms"] / floor_p95 if floor_p95 > 0 else float("inf")
        p95s = [sample.p95_ms for sample in samples[page]]
        spread = f"{min(p95s):.1f}-{max(p95s):.1f}"
        verdict = ""
        if _reference_page(page) == LAYOUT_FLOOR:
            ok = ratio <= target_ratio
            verdict = f"{'pass' if ok else 'FAIL'} (p95 <= {target_ratio:g}x layout floor)"
            if not ok:
                missed.append(page)
        out.append(
            f"{page.name + ' ' + page.path:<{width}}{values['p50_ms']:>9.2f}"
            f"{values['p95_ms']:>9.2f}{spread:>16}{values['rps']:>9.1f}{ratio:>11.2f}x  {verdict}"
        )
    if missed:
        out.append("missed the target: " + ", ".join(page.name for page in missed))
    else:
        out.append(f"every page within {target_ratio:g}x of the layout floor's p95")
    return "\n".join(out), missed


# --- Entry point -----------------------------------------------------------------------


def _raise_timeout(signum: int, frame: FrameType | None) -> None:
    raise BenchError("the run took longer than its time bound (--timeout / BENCH_TIMEOUT).")


def _raise_exit(signum: int, frame: FrameType | None) -> None:
    # SystemExit unwinds through every `finally`, so gunicorn and the database are cleaned up.
    raise SystemExit(128 + signum)


def main(
    bench: str,
    pages: Sequence[Page],
    seed: Callable[[int], None],
    *,
    default_n: int,
    target_ratio: float,
    description: str = "",
    argv: Sequence[str] | None = None,
) -> int:
    all_pages = [FRAMEWORK_FLOOR, LAYOUT_FLOOR, *pages]
    try:
        options = parse_options(argv, description or f"The {bench} benchmark.", default_n)
        if shutil.which("wrk") is None:
            raise BenchError("wrk is not installed (Debian: apt-get install wrk).")
        budget = options.timeout or run_budget(options, len(all_pages))
        signal.signal(signal.SIGALRM, _raise_timeout)
        signal.signal(signal.SIGTERM, _raise_exit)
        signal.alarm(max(1, int(budget)))
        try:
            with tempfile.TemporaryDirectory(prefix=f"whatworks-bench-{bench}-") as tmp:
                workdir = Path(tmp)
                script = workdir / "report.lua"
                script.write_text(WRK_SCRIPT)
                with site(options, seed, workdir) as base_url:
                    samples = measure(base_url, all_pages, options, script)
        finally:
            signal.alarm(0)
    except BenchError as error:
        print(f"bench {bench} failed: {error}", file=sys.stderr)
        return 2
    for line in result_lines(bench, medians(samples), options.n):
        print(json.dumps(line), flush=True)
    text, missed = summary(bench, samples, options, target_ratio)
    print(text, file=sys.stderr)
    return 1 if options.check and missed else 0
