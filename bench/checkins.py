"""Call & Check at scale: 100,000 residents on 2,000 rounds.

Three figures, on a fresh database (SQLite, or scratch PostgreSQL with DATABASE_URL):

1. Generating every round's list for tomorrow (`schedule.lists_generate`), timed in-process
   after seeding: the median of three runs, against the issue's 2 s target.
2. A worker's list page (a round of 50 people, all due today), signed in with a session the
   seed created and two-factor verified, under wrk against the layout floor; target p95 under
   150 ms.
3. Visit recordings at 50 a second from 50 concurrent clients (each a worker with their own
   session on their own round) for 60 s, one in ten resent with the same UUID as a phone
   does after a lost reply. Afterwards every sent visit is checked in the database: none
   lost, none stored twice, none half-written (its answers all there), each as sent.
4. An emergency recorded half-way through that load: the time from sending it to the
   coordinator's text being in the outbox (target under 5 s).

    .venv/bin/python bench/checkins.py [--n 100000] [--visit-seconds 60] [--visit-rate 50]
    DATABASE_URL=postgres://root@127.0.0.1:5432/postgres .venv/bin/python bench/checkins.py

Uses the shared harness's building blocks (fresh site, gunicorn, wrk); the visit load is a
small threaded Python client, which at 50 requests a second costs little CPU.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

# Run as a script, Python puts bench/ first on sys.path, where bench/http.py would shadow
# the standard library's `http` package (urllib needs it). Put the repository root there.
_HERE = Path(__file__).resolve().parent
if sys.path and Path(sys.path[0] or ".").resolve() == _HERE:
    sys.path[0] = str(_HERE.parent)

from bench import _harness as harness  # noqa: E402
from bench._harness import FRAMEWORK_FLOOR, LAYOUT_FLOOR, BenchError, Page  # noqa: E402

BENCH = "checkins"
DEFAULT_N = 100_000
PER_ROUND = 50  # residents on a round: 100,000 / 2,000
CLIENTS = 50  # concurrent visit-recording clients, one worker and session each
LIST_TARGET_MS = 150.0
EMERGENCY_TARGET_S = 5.0
ALERT_MOBILE = "07912 345679"
GENERATE_TARGET_S = 2.0
SEED = 20170401
BATCH = 5000
CSRF = "benchcsrf" + "0" * 23  # a fixed CSRF secret (32 characters) sent as cookie and header
PLAN_FILE = "checkins_plan.json"


def _session_key(index: int) -> str:
    return harness.session_key("checkinsbench", index)


def _options(argv: list[str] | None) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--n", type=int, default=DEFAULT_N)
    parser.add_argument("--visit-seconds", type=float, default=60.0)
    parser.add_argument("--visit-rate", type=float, default=50.0)
    return parser.parse_known_args(argv)


def rounds_for(n: int) -> int:
    return max(1, n // PER_ROUND)


def showcase_round(n: int) -> int:
    """The round whose list is measured: the middle one (ids start at 1 on a fresh database)."""
    return rounds_for(n) // 2 + 1


# --- Seeding (runs inside Django) ------------------------------------------------------------


def seed(n: int) -> None:
    import os

    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from whatworks.checkins import services, twofactor
    from whatworks.checkins.models import (
        ConsentMethod,
        Cover,
        NominatedContact,
        Pause,
        Resident,
        Round,
        SchemeRole,
        TotpDevice,
    )
    from whatworks.organisations.models import Membership, Organisation, Role, User

    rng = random.Random(SEED)
    today = timezone.localdate()
    rounds = rounds_for(n)
    council = Organisation.objects.create(
        name="Bench Council", slug="bench-council", kind="council"
    )
    coordinator = User.objects.create_user(
        email="coordinator@bench.example", full_name="Coordinator"
    )
    Membership.objects.create(user=coordinator, organisation=council, role=Role.OFFICER)
    schemes = [
        services.scheme_create(
            organisation=council,
            name=f"Scheme {i + 1}",
            actor=coordinator,
            alert_mobile=ALERT_MOBILE,
        )
        for i in range(max(1, rounds // 100))
    ]
    password = make_password("bench passphrase")
    workers = User.objects.bulk_create(
        User(email=f"worker{i}@bench.example", full_name=f"Worker {i}", password=password)
        for i in range(rounds)
    )
    Round.objects.bulk_create(
        Round(
            scheme=schemes[i % len(schemes)], name=f"Walk {i + 1}", worker=workers[i], work_days=127
        )
        for i in range(rounds)
    )
    round_rows = list(Round.objects.order_by("id").values_list("id", "scheme_id", "worker_id"))
    assert round_rows[showcase_round(n) - 1][0] == showcase_round(n), "round ids do not start at 1"
    SchemeRole.objects.bulk_create(
        SchemeRole(scheme_id=scheme_id, user_id=worker_id, role="worker")
        for _, scheme_id, worker_id in round_rows
    )
    # "Two or three times a week" mostly; the measured round and the load's rounds daily.
    # The load's clients work rounds spread across the range, never the measured one.
    spread = [round_rows[(i * rounds // CLIENTS + 1) % rounds][0] for i in range(CLIENTS)]
    load_rounds = sorted(set(spread) - {showcase_round(n)})
    daily = {showcase_round(n), *load_rounds}
    masks = [0b0010101, 0b0101010, 0b1001001, 0b0100101, 0b0011011, 0b0000001, 0b0111111]
    made = 0
    for round_id, scheme_id, _ in round_rows:
        batch = [
            Resident(
                scheme_id=scheme_id,
                round_id=round_id,
                status="active",
                given_name=rng.choice(["Edith", "Albert", "Joan", "Harold", "Mary", "Stan"]),
                family_name=f"Resident{made + k}",
                date_of_birth=today.replace(year=today.year - 80),
                address_line_1=f"{k + 1} Long Road",
                town="Crowborough",
                postcode="TN6 1AA",
                visit_days=127 if round_id in daily else rng.choice(masks),
                visit_order=k,
                consent_given_on=today,
                consent_method=ConsentMethod.VERBAL,
            )
            for k in range(min(PER_ROUND, n - made))
        ]
        made += len(batch)
        Resident.objects.bulk_create(batch)
        if made >= n:
            break
    resident_ids = list(Resident.objects.values_list("id", flat=True))
    for start in range(0, len(resident_ids), BATCH):
        NominatedContact.objects.bulk_create(
            NominatedContact(
                resident_id=pk,
                name="Nominated Contact",
                relationship="daughter",
                phone="+447912345678",
                lives_locally=True,
            )
            for pk in resident_ids[start : start + BATCH]
        )
    # Some people are in hospital, some rounds are on holiday (with and without cover).
    Pause.objects.bulk_create(
        Pause(resident_id=pk, start_date=today, reason="In hospital")
        for pk in rng.sample(resident_ids, len(resident_ids) // 100)
    )
    tomorrow = today + timedelta(days=1)
    holiday_rounds = [r for r, _, _ in round_rows if r not in daily]
    for round_id in rng.sample(holiday_rounds, len(holiday_rounds) // 25):
        Cover.objects.create(
            round_id=round_id,
            start_date=tomorrow,
            end_date=tomorrow,
            worker_id=rng.choice(workers).pk if rng.random() < 0.5 else None,
        )

    # Signed-in, two-factor-verified sessions: the measured worker and the load's clients.
    plan: dict[str, Any] = {"clients": []}
    chosen = [showcase_round(n), *load_rounds]
    for index, round_id in enumerate(chosen):
        worker = User.objects.get(checkin_rounds__id=round_id)
        TotpDevice.objects.create(
            user=worker,
            secret="JBSWY3DPEHPK3PXP",  # noqa: S106 (a bench-only device)
            confirmed_at=timezone.now(),
        )
        harness.sign_in(worker, _session_key(index), **{twofactor.SESSION_KEY: worker.pk})
        residents = list(Resident.objects.filter(round_id=round_id).values_list("id", flat=True))
        plan["clients"].append(
            {"round": round_id, "session": _session_key(index), "residents": residents}
        )
    from whatworks.checkins.models import Question

    plan["questions"] = {
        str(scheme.pk): {
            q.code: [q.pk, q.options()]
            for q in Question.objects.filter(
                module__scheme=scheme, module__generic=True, module__every_weeks=0
            )
        }
        for scheme in schemes
    }
    plan["round_scheme"] = {str(r): s for r, s, _ in round_rows}
    Path(os.environ["WHATWORKS_VAR_DIR"], PLAN_FILE).write_text(json.dumps(plan))
    # Fresh statistics, as autovacuum (PostgreSQL) or a routine ANALYZE (SQLite) would give a
    # live database: without them the planner takes 100,000 bulk-loaded rows for a handful.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def time_generation() -> None:
    """Runs inside Django: prints the median of three runs of tomorrow's lists, as JSON."""
    from django.utils import timezone

    from whatworks.checkins import schedule

    tomorrow = timezone.localdate() + timedelta(days=1)
    runs, planned = [], 0
    for _ in range(3):
        started = time.perf_counter()
        planned = schedule.lists_generate(tomorrow)
        runs.append(time.perf_counter() - started)
    print(json.dumps({"seconds": statistics.median(runs), "runs": runs, "planned": planned}))


def emergency_check(key: str, sent_at: float) -> None:
    """Runs inside Django: when the emergency's text reached the outbox, after it was sent."""
    from whatworks.checkins.models import Visit
    from whatworks.core.models import Message

    visit = Visit.objects.filter(client_uuid=key).first()
    message = (
        Message.objects.filter(
            template="checkins_emergency", about=f"checkins.resident:{visit.resident_id}"
        ).first()
        if visit
        else None
    )
    print(
        json.dumps(
            {
                "found": message is not None,
                "seconds": message.created_at.timestamp() - sent_at if message else None,
                "status": message.status if message else "",
            }
        )
    )


def verify(sent_file: str) -> None:
    """Runs inside Django: compares what the clients sent with what is stored, as JSON."""
    from django.db.models import Count

    from whatworks.checkins.models import Answer, Visit

    sent = json.loads(Path(sent_file).read_text())
    stored = {
        str(v["client_uuid"]): v
        for v in Visit.objects.filter(client_uuid__in=list(sent)).values(
            "client_uuid", "resident_id", "outcome", "answer_count"
        )
    }
    answers = dict(
        Answer.objects.filter(visit__client_uuid__in=list(sent))
        .values("visit__client_uuid")
        .annotate(n=Count("id"))
        .values_list("visit__client_uuid", "n")
    )
    answers = {str(k): v for k, v in answers.items()}
    lost = [k for k in sent if k not in stored]
    wrong = [
        k
        for k, v in stored.items()
        if v["resident_id"] != sent[k]["resident"] or v["outcome"] != sent[k]["outcome"]
    ]
    half = [
        k
        for k, v in stored.items()
        if answers.get(k, 0) != sent[k]["answers"] or v["answer_count"] != sent[k]["answers"]
    ]
    dupes = Visit.objects.values("client_uuid").annotate(n=Count("id")).filter(n__gt=1).count()
    print(
        json.dumps(
            {
                "sent": len(sent),
                "stored": len(stored),
                "lost": len(lost),
                "wrong": len(wrong),
                "half_written": len(half),
                "duplicated": dupes,
            }
        )
    )


# --- The visit load ---------------------------------------------------------------------------


class VisitLoad:
    """Clients that each send visits at an even pace; 1 in 10 is resent with the same UUID."""

    def __init__(self, base_url: str, plan: dict[str, Any], rate: float, seconds: float) -> None:
        self.base_url = base_url
        self.plan = plan
        self.rate = rate
        self.seconds = seconds
        self.sent: dict[str, dict[str, Any]] = {}
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.resent = 0
        self.duplicate_answers = 0
        self.emergency: dict[str, Any] = {}
        self.lock = threading.Lock()

    def _post(self, client: dict[str, Any], body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        # Imported here: urllib.request needs the standard library's `http`, which bench/http.py
        # shadows until the path fix at the top of this module has run.
        import urllib.error
        import urllib.parse
        import urllib.request

        request = urllib.request.Request(
            f"{self.base_url}/checkins/rounds/{client['round']}/visits/",
            data=urllib.parse.urlencode(body).encode(),
            headers={
                "Accept": "application/json",
                "Cookie": f"sessionid={client['session']}; csrftoken={CSRF}",
                "X-CSRFToken": CSRF,
                "Content-Type": "application/x-www-form-urlencoded",
            },
            method="POST",
        )
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, payload = response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            status, payload = error.code, {"body": error.read()[:200].decode(errors="replace")}
        with self.lock:
            self.latencies.append((time.perf_counter() - started) * 1000)
        return status, payload

    def _client(self, index: int, client: dict[str, Any], start: float) -> None:
        rng = random.Random(SEED + index)
        questions = self.plan["questions"][str(self.plan["round_scheme"][str(client["round"])])]
        per_client = self.rate / len(self.plan["clients"])
        count = int(self.seconds * per_client)
        offset = rng.random() / per_client  # spread the clients' first sends
        for k in range(count):
            due = start + offset + k / per_client
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            outcome = rng.choices(["well", "concern", "no_answer", "declined"], [85, 5, 8, 2])[0]
            body: dict[str, Any] = {
                "client_uuid": str(uuid.uuid4()),
                "resident": rng.choice(client["residents"]),
                "outcome": outcome,
                "note": "Bench visit",
            }
            answered = 0
            if outcome in ("well", "concern"):
                for code in ("how_are_you", "ons_lonely"):
                    pk, options = questions[code]
                    body[f"answer_{pk}"] = rng.choice(options)
                    answered += 1
            status, payload = self._post(client, body)
            if status != 201:
                self.errors.append(f"{status} {payload}")
                continue
            with self.lock:
                self.sent[body["client_uuid"]] = {
                    "resident": body["resident"],
                    "outcome": outcome,
                    "answers": answered,
                }
            if rng.random() < 0.1:  # the reply was "lost": the phone sends it again
                status, payload = self._post(client, body)
                with self.lock:
                    self.resent += 1
                if status != 200 or payload.get("status") != "duplicate":
                    self.errors.append(f"resend: {status} {payload}")

    def _emergency(self, start: float) -> None:
        """Half-way through the load, one worker records an emergency."""
        pause = start + self.seconds / 2 - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        client = self.plan["clients"][0]
        body = {
            "client_uuid": str(uuid.uuid4()),
            "resident": client["residents"][-1],
            "outcome": "emergency",
            "emergency_actions": "called_999",
            "note": "Bench emergency",
        }
        self.emergency = {"key": body["client_uuid"], "sent_at": time.time()}
        status, payload = self._post(client, body)
        self.emergency["status"] = status
        if status != 201 or not payload.get("emergency"):
            self.errors.append(f"emergency: {status} {payload}")

    def run(self) -> float:
        start = time.monotonic() + 0.5
        threads = [
            threading.Thread(target=self._client, args=(i, c, start), daemon=True)
            for i, c in enumerate(self.plan["clients"])
        ]
        threads.append(threading.Thread(target=self._emergency, args=(start,), daemon=True))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=self.seconds * 3 + 60)
        return time.monotonic() - start


# --- Entry point ------------------------------------------------------------------------------


def _line(
    metric: str, value: float, unit: str, reference: str, ratio: float | None, n: int
) -> dict[str, Any]:
    return {
        "bench": BENCH,
        "metric": metric,
        "value": round(value, 3),
        "unit": unit,
        "reference": reference,
        "ratio": None if ratio is None else round(ratio, 3),
        "n": n,
    }


def _django(env: dict[str, str], call: str) -> dict[str, Any]:
    code = f"import django; django.setup(); from bench.checkins import *; {call}"
    out = harness._run([harness.PYTHON, "-c", code], env, call)
    return json.loads(out.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    own, rest = _options(argv)
    n = own.n
    pages = [
        Page(
            "worker's list",
            f"/checkins/rounds/{showcase_round(n)}/today/",
            headers=(harness.cookie(_session_key(0)),),
        )
    ]
    all_pages = [FRAMEWORK_FLOOR, LAYOUT_FLOOR, *pages]
    try:
        options = harness.parse_options(rest + ["--n", str(n)], __doc__ or BENCH, DEFAULT_N)
        harness._check_static_build()
        with tempfile.TemporaryDirectory(prefix="whatworks-bench-checkins-") as tmp:
            workdir = Path(tmp)
            script = workdir / "report.lua"
            script.write_text(harness.WRK_SCRIPT)
            var_dir = workdir / "var"
            var_dir.mkdir()
            env = harness._site_env(var_dir)
            with harness.scratch_database(options, env) as database:
                print(f"preparing {database}: migrate, seed n={n}", file=sys.stderr)
                harness.migrate(env)
                started = time.perf_counter()
                harness._seed(env, seed, n)
                print(f"seeded in {time.perf_counter() - started:.0f} s", file=sys.stderr)
                harness._manage(env, "collectstatic", "--no-input", "-v", "0")
                generation = _django(env, "time_generation()")
                print(f"tomorrow's lists: {generation}", file=sys.stderr)
                plan = json.loads((var_dir / PLAN_FILE).read_text())
                plan["clients"] = plan["clients"][1:]  # the first session is the measured page's
                with harness.gunicorn(env, workdir) as base_url:
                    samples = harness.measure(base_url, all_pages, options, script)
                    load = VisitLoad(base_url, plan, own.visit_rate, own.visit_seconds)
                    elapsed = load.run()
                sent_file = workdir / "sent.json"
                sent_file.write_text(json.dumps(load.sent))
                check = _django(env, f"verify({str(sent_file)!r})")
                emergency = _django(
                    env,
                    f"emergency_check({load.emergency.get('key', '')!r}, "
                    f"{load.emergency.get('sent_at', 0.0)!r})",
                )
    except BenchError as error:
        print(f"bench {BENCH} failed: {error}", file=sys.stderr)
        return 2

    figures = harness.medians(samples)
    lines = harness.result_lines(BENCH, figures, n)
    lines.append(
        _line(
            "generate tomorrow's lists",
            generation["seconds"],
            "s",
            "target 2 s",
            generation["seconds"] / GENERATE_TARGET_S,
            n,
        )
    )
    lines.append(_line("planned visits tomorrow", generation["planned"], "visits", "none", None, n))
    p95 = figures[pages[0]]["p95_ms"]
    lines.append(
        _line(
            "worker's list p95 against target", p95, "ms", "target 150 ms", p95 / LIST_TARGET_MS, n
        )
    )
    rate = len(load.sent) / elapsed if elapsed else 0.0
    lines.append(
        _line(
            "visit recordings rate",
            rate,
            "visits/s",
            "target 50 visits/s",
            rate / own.visit_rate,
            n,
        )
    )
    lines.append(_line("visit recordings sent", check["sent"], "visits", "none", None, n))
    lines.append(_line("visit resends (same UUID)", load.resent, "requests", "none", None, n))
    latencies = sorted(load.latencies) or [0.0]
    lines.append(
        _line(
            "visit recording p95",
            latencies[int(0.95 * (len(latencies) - 1))],
            "ms",
            "none",
            None,
            n,
        )
    )
    for what in ("lost", "duplicated", "half_written", "wrong"):
        lines.append(
            _line(f"visits {what.replace('_', '-')}", check[what], "visits", "target 0", None, n)
        )
    lines.append(_line("visit request errors", len(load.errors), "requests", "target 0", None, n))
    emergency_s = emergency["seconds"] if emergency["found"] else float("inf")
    lines.append(
        _line(
            "emergency under load to the outbox",
            emergency_s,
            "s",
            "target 5 s",
            emergency_s / EMERGENCY_TARGET_S,
            n,
        )
    )
    ratio = p95 / figures[LAYOUT_FLOOR]["p95_ms"] if figures[LAYOUT_FLOOR]["p95_ms"] else None
    lines.append(
        _line(
            "worker's list p95 against the layout floor (signed in)",
            p95,
            "ms",
            "target within 3x the layout floor",
            ratio,
            n,
        )
    )
    for line in lines:
        print(json.dumps(line), flush=True)
    text, _ = harness.summary(BENCH, samples, options, 3.0)
    print(text, file=sys.stderr)
    for error in load.errors[:5]:
        print(f"visit error: {error}", file=sys.stderr)
    ok = (
        generation["seconds"] < GENERATE_TARGET_S
        and p95 < LIST_TARGET_MS
        and rate >= own.visit_rate * 0.95
        and not load.errors
        and check["lost"] == check["duplicated"] == check["half_written"] == check["wrong"] == 0
        and emergency_s < EMERGENCY_TARGET_S
        and ratio is not None
        and ratio <= 3.0
    )
    print(
        f"targets {'met' if ok else 'MISSED'}: lists < 2 s, list p95 < 150 ms, "
        f"{own.visit_rate:g} visits/s with none lost, duplicated or half-written, an emergency "
        "in the outbox within 5 s, the list within 3x the layout floor",
        file=sys.stderr,
    )
    return 1 if options.check and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
