"""The forum under load: a board's thread list and a page of a 1,000-post thread, with
1,000,000 posts in 50,000 threads; and the daily digest for 10,000 people.

Seeds `--n` posts (1,000,000 by default) in n/20 threads on 20 public boards, written with
bulk SQL (executemany on SQLite, COPY on PostgreSQL), with the list counts (posts, last post
time) denormalised as the services keep them. Thread 1 is the showcase: 1,000 posts. Then
measures with gunicorn and wrk (bench/_harness.py) against the layout floor, anonymously:

- "board thread list": the first page of a board with ~2,500 threads;
- "thread page (1,000 posts)": page 10 of thread 1 (posts 451 to 500, by indexed position).

Then, on a fresh database of its own, times `notifications.digests_send("daily")` for 10,000
people with five notifications each (some about a private group's thread that the person
has since left, which the digest must drop), queueing one outbox message per person; the
median of three runs is printed as one more JSON line.

    .venv/bin/python bench/forum.py [--n 1000000] [--seconds 5] [--rounds 3] [--check]
    DATABASE_URL=postgres://root@127.0.0.1:5432/postgres .venv/bin/python bench/forum.py

Targets (issue 5): board list p95 < 150 ms, thread page p95 < 200 ms, each within 3x the
layout floor's p95; the daily digest for 10,000 people in under 60 s.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
if sys.path and Path(sys.path[0] or ".").resolve() == _HERE:
    sys.path[0] = str(_HERE.parent)

from bench._harness import (  # noqa: E402
    PYTHON,
    BenchError,
    Page,
    _run,
    _site_env,
    cookie,
    main,
    migrate,
    parse_options,
    scratch_database,
    session_key,
    sign_in,
)

TARGET_RATIO = 3.0
DEFAULT_N = 1_000_000
POSTS_PER_THREAD = 20
SHOWCASE_POSTS = 1_000
SHOWCASE_PAGE = 10
BOARDS = 20
PEOPLE = 2_000
DIGEST_PEOPLE = 10_000
DIGEST_TARGET_S = 60.0
SEED = 20170401
BATCH = 20_000
EPOCH = datetime(2017, 4, 1, tzinfo=UTC)

#: A member of a council reading the forum, signed in: their pages are never cached.
MEMBER_SESSION = session_key("forummember")
_PATHS = [
    ("board thread list", "/forum/boards/board-1/"),
    ("thread page (1,000 posts)", f"/forum/threads/1/?page={SHOWCASE_PAGE}"),
]
PAGES = [Page(name, path) for name, path in _PATHS] + [
    Page(f"{name} (signed-in member)", path, headers=(cookie(MEMBER_SESSION),))
    for name, path in _PATHS
]

WORDS = [
    "council",
    "residents",
    "pilot",
    "trial",
    "baseline",
    "evidence",
    "letters",
    "rent",
    "arrears",
    "recycling",
    "bins",
    "care",
    "discharge",
    "hospital",
    "volunteers",
    "partners",
    "savings",
    "costs",
    "measure",
    "result",
    "honest",
    "failed",
    "worked",
    "lessons",
    "data",
    "team",
    "frontline",
    "officers",
    "months",
    "weeks",
    "households",
    "visits",
    "demand",
]


def _bodies(rng: random.Random) -> list[tuple[str, str]]:
    """A pool of realistic posts, rendered once with the real renderer."""
    from whatworks.forum.markup import render

    pool = []
    for i in range(200):
        sentences = [
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20))).capitalize() + "."
            for _ in range(rng.randint(2, 6))
        ]
        text = " ".join(sentences)
        if i % 5 == 0:
            text = "> " + sentences[0] + "\n\n" + text
        if i % 7 == 0:
            text += "\n\n- **First**, the baseline\n- *Then* the [result](https://example.org)"
        pool.append((text, render(text)))
    return pool


def _people_and_boards(rng: random.Random) -> tuple[list[int], list[int]]:
    from django.contrib.auth.hashers import make_password

    from whatworks.forum.models import Board
    from whatworks.initiatives.models import ServiceArea
    from whatworks.organisations.models import Membership, Organisation, User

    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"Bench Council {i}", slug=f"bench-council-{i}", kind="council")
        for i in range(100)
    )
    password = make_password(None)
    users = User.objects.bulk_create(
        User(email=f"person{i}@bench.example", full_name=f"Person {i} Benchmark",
             password=password, visibility="peers")
        for i in range(PEOPLE)
    )  # fmt: skip
    Membership.objects.bulk_create(
        Membership(user=u, organisation=organisations[i % 100], role="officer")
        for i, u in enumerate(users)
    )
    areas = list(ServiceArea.values)
    boards = Board.objects.bulk_create(
        Board(name=f"Board {i + 1}", slug=f"board-{i + 1}", kind="service_area",
              service_area=areas[i % len(areas)], visibility="public",
              description="Seeded for the forum benchmark.")
        for i in range(BOARDS)
    )  # fmt: skip
    return [u.pk for u in users], [b.pk for b in boards]


def _insert(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    from django.db import connection

    if not rows:
        return
    if connection.vendor == "postgresql":
        # COPY: one round trip per batch, the fastest way into PostgreSQL.
        raw = connection.connection
        assert raw is not None
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def _dt(value: datetime) -> Any:
    from django.db import connection

    if connection.vendor == "postgresql":
        return value
    return connection.ops.adapt_datetimefield_value(value)


THREAD_COLUMNS = ["id", "board_id", "kind", "title", "author_id", "visibility", "anchor",
                  "anchor_label", "post_count", "last_post_at", "created_at"]  # fmt: skip
POST_COLUMNS = ["thread_id", "position", "author_id", "body", "body_html", "owner_answer",
                "by_owner", "useful_count", "created_at", "hidden_reason"]  # fmt: skip


def _post_counts(rng: random.Random, n: int, threads: int) -> list[int]:
    """Posts per thread: the showcase gets 1,000, the rest share what is left (1 at least)."""
    if threads == 1:
        return [n]
    rest = n - SHOWCASE_POSTS
    counts = [1] * (threads - 1)
    for index in rng.choices(range(threads - 1), k=rest - (threads - 1)):
        counts[index] += 1
    return [SHOWCASE_POSTS, *counts]


def seed(n: int) -> None:
    """`n` posts in n/20 public threads on 20 boards, with the list counts kept."""
    from django.db import connection, transaction

    rng = random.Random(SEED)
    began = time.monotonic()
    threads = max(1, n // POSTS_PER_THREAD)
    if n < SHOWCASE_POSTS + threads - 1:
        raise SystemExit(f"--n must be at least {SHOWCASE_POSTS + threads - 1}")
    pool = _bodies(rng)
    with transaction.atomic():
        people, boards = _people_and_boards(rng)
    counts = _post_counts(rng, n, threads)
    thread_rows: list[tuple[Any, ...]] = []
    post_rows: list[tuple[Any, ...]] = []
    board_stats: dict[int, list[Any]] = {b: [0, 0, EPOCH] for b in boards}

    def flush() -> None:
        with transaction.atomic():
            _insert("forum_thread", THREAD_COLUMNS, thread_rows)
            _insert("forum_post", POST_COLUMNS, post_rows)
        thread_rows.clear()
        post_rows.clear()

    for index, count in enumerate(counts):
        thread_id = index + 1
        board = boards[0] if index == 0 else boards[index % len(boards)]
        start = EPOCH + timedelta(minutes=rng.randrange(0, 60 * 24 * 600))
        when = start
        for position in range(1, count + 1):
            text, html = pool[rng.randrange(len(pool))]
            post_rows.append(
                (thread_id, position, people[rng.randrange(len(people))], text, html, False,
                 False, rng.randrange(0, 4), _dt(when), "")
            )  # fmt: skip
            when += timedelta(minutes=rng.randint(5, 600))
        last = when - timedelta(minutes=1)
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 9))).capitalize()
        thread_rows.append(
            (thread_id, board, "discussion", title, people[rng.randrange(len(people))],
             "public", "", "", count, _dt(last), _dt(start))
        )  # fmt: skip
        stats = board_stats[board]
        stats[0] += 1
        stats[1] += count
        stats[2] = max(stats[2], last)
        if len(post_rows) >= BATCH:
            flush()
    flush()
    with transaction.atomic(), connection.cursor() as cursor:
        for board, (thread_count, post_count, last) in board_stats.items():
            cursor.execute(
                "UPDATE forum_board SET thread_count = %s, post_count = %s, last_post_at = %s "
                "WHERE id = %s",
                [thread_count, post_count, _dt(last), board],
            )
        if connection.vendor == "postgresql":
            cursor.execute("SELECT setval('forum_thread_id_seq', %s)", [threads])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"seeded {n} posts in {threads} threads in {time.monotonic() - began:.1f} s",
          file=sys.stderr)  # fmt: skip
    from whatworks.organisations.models import User

    sign_in(User.objects.get(pk=people[0]), MEMBER_SESSION)


# --- The daily digest ----------------------------------------------------------------------

NOTES_EACH = 5


def seed_digest(people: int) -> None:
    """`people` people, each with five unsent notifications; a fifth of them about a private
    group's thread the person has since left (the digest must drop those)."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from whatworks.forum import services
    from whatworks.forum.models import Board, Notification
    from whatworks.organisations.models import Membership, Organisation, User

    rng = random.Random(SEED)
    with transaction.atomic():
        orgs = Organisation.objects.bulk_create(
            Organisation(name=f"Digest Council {i}", slug=f"digest-{i}", kind="council")
            for i in range(50)
        )
        password = make_password(None)
        users = User.objects.bulk_create(
            User(email=f"reader{i}@bench.example", full_name=f"Reader {i}", password=password)
            for i in range(people)
        )
        Membership.objects.bulk_create(
            Membership(user=u, organisation=orgs[i % 50], role="officer")
            for i, u in enumerate(users)
        )
        board = Board.objects.create(name="Digest", slug="digest", visibility="public")
        author = users[0]
        public = [
            services.thread_start(board=board, author=users[i], title=f"Public {i}", body="Hello")
            for i in range(20)
        ]
        group = services.group_create(
            actor=author, name="Left group", joining="invitation", listed=False
        )
        secret = services.thread_start(
            board=group.boards.get(), author=author, title="Private", body="Members only"
        )
        Notification.objects.all().delete()  # only the seeded ones below
        rows = []
        for user in users:
            for k in range(NOTES_EACH):
                private = k == 0 and rng.random() < 0.2
                thread = secret if private else public[rng.randrange(len(public))]
                rows.append(
                    Notification(
                        user=user, kind="reply", text=f"Someone replied in “{thread.title}”",
                        url=thread.get_absolute_url(), thread=thread,
                    )
                )  # fmt: skip
        Notification.objects.bulk_create(rows, batch_size=5_000)


def time_digest(rounds: int) -> None:
    """Run the daily digest `rounds` times (resetting between), print the timings as JSON."""
    from django.db import transaction

    from whatworks.core.models import Message
    from whatworks.forum.models import Notification
    from whatworks.forum.notifications import digests_send

    timings = []
    sent = 0
    for _ in range(rounds):
        with transaction.atomic():
            Message.objects.filter(template="forum_digest").delete()
            Notification.objects.update(emailed_at=None)
        began = time.perf_counter()
        sent = digests_send("daily")
        timings.append(time.perf_counter() - began)
    from whatworks.forum.models import GroupMembership

    members = GroupMembership.objects.values_list("user__email", flat=True)
    leaked = (
        Message.objects.filter(template="forum_digest", personalisation__icontains="“Private”")
        .exclude(recipient__in=list(members))
        .count()
    )
    print(json.dumps({"timings": timings, "sent": sent, "leaked": leaked}))


def digest_people(n: int) -> int:
    return max(100, min(DIGEST_PEOPLE, n // 100))


def run_digest(argv: list[str] | None = None) -> int:
    options = parse_options(argv, "The forum digest benchmark.", DEFAULT_N)
    people = digest_people(options.n)
    try:
        with tempfile.TemporaryDirectory(prefix="whatworks-bench-forum-digest-") as tmp:
            var_dir = Path(tmp) / "var"
            var_dir.mkdir()
            env = _site_env(var_dir)
            with scratch_database(options, env):
                migrate(env)
                module = "bench.forum"
                setup = f"import django; django.setup(); from {module} import "
                _run(
                    [PYTHON, "-c", f"{setup}seed_digest; seed_digest({people})"], env, "digest seed"
                )
                out = _run(
                    [PYTHON, "-c", f"{setup}time_digest; time_digest({options.rounds})"],
                    env,
                    "digest timing",
                )
    except BenchError as error:
        print(f"bench forum (digest) failed: {error}", file=sys.stderr)
        return 2
    result = json.loads([line for line in out.splitlines() if line.startswith("{")][-1])
    if result["sent"] != people or result["leaked"]:
        print(f"bench forum (digest) wrong result: {result}", file=sys.stderr)
        return 2
    value = statistics.median(result["timings"])
    line = {
        "bench": "forum",
        "metric": f"daily digest for {people:,} people",
        "value": round(value, 3),
        "unit": "s",
        "reference": f"target {DIGEST_TARGET_S:g} s",
        "ratio": round(value / DIGEST_TARGET_S, 3),
        "n": people,
    }
    print(json.dumps(line), flush=True)
    print(
        f"daily digest: {people} people, {result['sent']} emails queued, median {value:.2f} s "
        f"of {len(result['timings'])} run(s) ({'pass' if value < DIGEST_TARGET_S else 'FAIL'} "
        f"< {DIGEST_TARGET_S:g} s)",
        file=sys.stderr,
    )
    return 1 if options.check and value >= DIGEST_TARGET_S else 0


def _cli() -> int:
    argv = sys.argv[1:]
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--skip-digest", action="store_true")
    known, rest = parser.parse_known_args(argv)
    pages = main("forum", PAGES, seed, default_n=DEFAULT_N, target_ratio=TARGET_RATIO,
                 description=__doc__.splitlines()[0], argv=rest)  # fmt: skip
    if pages == 2 or known.skip_digest:
        return pages
    digest = run_digest(rest)
    return max(pages, digest)


if __name__ == "__main__":
    sys.exit(_cli())
