"""Staff ideas under a hack day's load: 100 people submitting ideas and voting at once.

Seeds a campaign in its "discuss and vote" phase with `--n` ideas (200 by default) and
100 join-code participants, then serves it with gunicorn (bench/_harness.py `site()`: a
fresh SQLite or scratch PostgreSQL database, DEBUG off, two sync workers) and:

1. measures the layout floor (`/_floor/layout`) with the same 100 connections;
2. for `--seconds` (60 by default) drives 100 concurrent people with wrk: each wrk thread
   is one person on one connection, holding a pre-issued participant cookie and CSRF
   token, and sends one request after another: every fourth an idea (POST), the rest
   votes (POST), every fifth vote a repeat of the one before (which must be refused);
3. measures the layout floor again, and takes the median of the two floor runs;
4. checks every response against what it should have been (302 for an idea or a first
   vote, 409 for a repeat vote: anything else, such as a 500 from "database is locked",
   is an error), and each idea's vote count (read back through the API) against the votes
   the server accepted: none lost, none counted twice. The last request of each person
   may be cut off by the end of the run; it may or may not have counted, and is allowed
   either way.

Why wrk with a Lua script, not a Python client: on a 2-core machine a Python client
steals a core from the server (DESIGN.md "Recipes"). One wrk thread per person (-t100
-c100) keeps each person's requests in order on one connection, so every response can
be matched to the request that caused it in the thread's own Lua state.

    .venv/bin/python bench/ideas.py [--seconds 60] [--n 200] [--people 100]
    DATABASE_URL=postgres://root@127.0.0.1:5432/postgres .venv/bin/python bench/ideas.py

Exit codes: 0 ran and every check held; 2 an error, a lost or a double-counted vote, or
the harness failed.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, Python puts bench/ first on sys.path, where bench/http.py would shadow
# the standard library's `http` package (urllib imports it). Put the repository root there.
_HERE = Path(__file__).resolve().parent
if sys.path and Path(sys.path[0] or ".").resolve() == _HERE:
    sys.path[0] = str(_HERE.parent)

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
from collections import Counter  # noqa: E402
from typing import Any  # noqa: E402

from bench._harness import (  # noqa: E402
    LAYOUT_FLOOR,
    BenchError,
    Options,
    _drain,
    _raise_exit,
    _raise_timeout,
    parse_options,
    site,
)

BENCH = "ideas"
DEFAULT_N = 200  # ideas already in the campaign when the day starts
DEFAULT_PEOPLE = 100
DEFAULT_SECONDS = 60
SEED_FILE = "ideas-bench.json"
REQUEST_TIMEOUT_S = 30  # queueing behind 2 workers is slow, not broken: let it show


def seed(n: int) -> None:
    """Runs inside Django: the campaign, its ideas, and participants with their cookies."""
    import secrets
    import string
    from datetime import timedelta

    from django.utils import timezone

    from whatworks.ideas import identity, services
    from whatworks.ideas.models import Idea, Phase
    from whatworks.organisations.models import Membership, Organisation, Role, User

    people = int(os.environ.get("IDEAS_BENCH_PEOPLE", DEFAULT_PEOPLE))
    organisation = Organisation.objects.create(
        name="Bench District Council", slug="bench", kind="council"
    )
    organiser = User.objects.create_user("organiser@bench.example", full_name="Bench Organiser")
    Membership.objects.create(user=organiser, organisation=organisation, role=Role.ADMIN)
    today = timezone.localdate()
    campaign = services.campaign_create(
        organisation=organisation,
        actor=organiser,
        title="Hack day under load",
        brief="Ideas and votes from a hundred people at once.",
        opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=2),
        hide_results=False,  # so the check can read the counts back through the API
    )
    services.campaign_advance(campaign=campaign, actor=organiser)
    assert campaign.phase == Phase.DISCUSS
    Idea.objects.bulk_create(
        Idea(
            campaign=campaign,
            title=f"Seeded idea {i}",
            process="Round planning",
            problem="Crews wait for the depot gate.",
            proposal="Open the gate at six.",
            author_key=identity.keyed("author", campaign.pk, f"seed:{i}"),
        )
        for i in range(n)
    )
    # One personal code each: a poster code's participants may not vote.
    codes = []
    while len(codes) < people:
        batch = min(people - len(codes), services.MAX_CODES_AT_ONCE)
        codes += services.join_codes_create(
            campaign=campaign, label="Bench", actor=organiser, count=batch
        )
    alphabet = string.ascii_letters + string.digits
    participants = []
    for i, code in enumerate(codes):
        value = identity.participant_cookie_value(
            code.pk, f"Person {i}" if i % 2 else "", personal=True
        )
        participants.append(
            {
                "cookie": f"{identity.cookie_name(campaign.pk)}="
                f"{identity.signed_participant_cookie(campaign.pk, value)}",
                "csrf": "".join(secrets.choice(alphabet) for _ in range(32)),
            }
        )
    ideas = list(Idea.objects.filter(campaign=campaign).order_by("pk").values_list("pk", flat=True))
    (Path(os.environ["WHATWORKS_VAR_DIR"]) / SEED_FILE).write_text(
        json.dumps({"campaign": campaign.pk, "ideas": ideas, "participants": participants})
    )


# --- The load script ---------------------------------------------------------------------

LUA = r"""
-- Generated by bench/ideas.py: one person per wrk thread, one connection each.
local CAMPAIGN = %(campaign)d
local IDEAS = {%(ideas)s}
local PEOPLE = {%(people)s}
local LOG_PATH = "%(log_path)s"
local threads = {}
local next_person = 1

function setup(thread)
  thread:set("person", next_person)
  next_person = next_person + 1
  table.insert(threads, thread)
end

function init(args)
  me = PEOPLE[person]
  sent = 0
  votes = 0
  last_idea = 0
  voted = {}
  log = {}
  pending = ""
  headers = {
    ["Cookie"] = me[1] .. "; csrftoken=" .. me[2],
    ["X-CSRFToken"] = me[2],
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }
end

function request()
  sent = sent + 1
  if sent %% 4 == 1 then
    pending = "s,0,302"
    local body = "title=Idea+from+person+" .. person .. "+number+" .. sent
      .. "&process=Bulky+waste&problem=Typed+twice&proposal=One+form"
    return wrk.format("POST", "/ideas/" .. CAMPAIGN .. "/ideas/new/", headers, body)
  end
  votes = votes + 1
  local idea
  if votes %% 5 == 0 and last_idea ~= 0 then
    idea = last_idea  -- a repeat: must be refused
  else
    idea = IDEAS[((person * 37 + votes) %% #IDEAS) + 1]
  end
  local expect = voted[idea] and "409" or "302"
  voted[idea] = true
  last_idea = idea
  pending = "v," .. idea .. "," .. expect
  return wrk.format("POST", "/ideas/" .. CAMPAIGN .. "/ideas/" .. idea .. "/vote/", headers, "")
end

function response(status, headers, body)
  table.insert(log, pending .. "," .. status)
  pending = ""
end

function done(summary, latency, requests)
  local file = io.open(LOG_PATH, "w")
  for _, t in ipairs(threads) do
    local entries = t:get("log")
    for _, line in ipairs(entries) do file:write(line, "\n") end
    local cut = t:get("pending")
    if cut ~= "" then file:write(cut, ",cut\n") end
  end
  file:close()
  local e = summary.errors
  io.write(string.format(
    '{"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p95_us": %%d, "p99_us": %%d, '
    .. '"connect": %%d, "read": %%d, "write": %%d, "timeout": %%d}\n',
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.connect, e.read, e.write, e.timeout))
end
"""

FLOOR_LUA = r"""
local bad = 0
function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, '
    .. '"connect": %d, "read": %d, "write": %d, "timeout": %d}\n',
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.connect, e.read, e.write, e.timeout))
end
"""


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def load_script(data: dict[str, Any], log_path: Path) -> str:
    people = ", ".join(
        "{" + _lua_string(p["cookie"]) + ", " + _lua_string(p["csrf"]) + "}"
        for p in data["participants"]
    )
    return LUA % {
        "campaign": data["campaign"],
        "ideas": ", ".join(str(i) for i in data["ideas"]),
        "people": people,
        "log_path": str(log_path),
    }


def run_wrk(url: str, script: Path, connections: int, seconds: float) -> dict[str, Any]:
    cmd = [
        "wrk", f"-t{connections}", f"-c{connections}", f"-d{seconds:g}s", "--latency",
        f"--timeout={REQUEST_TIMEOUT_S}s", "-s", str(script), url,
    ]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 120)
    if done.returncode != 0:
        raise BenchError(f"wrk failed ({done.returncode}): {done.stderr[-2000:]}")
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise BenchError(f"wrk printed no result for {url}:\n{done.stdout[-2000:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    socket_errors = sum(result[k] for k in ("connect", "read", "write", "timeout"))
    if socket_errors:
        raise BenchError(f"{url}: {socket_errors} socket errors or timeouts: {result}")
    return result


# --- Checking -------------------------------------------------------------------------------


def api_tallies(base_url: str, data: dict[str, Any]) -> tuple[int, dict[int, int]]:
    """(number of ideas, votes per idea) as the API reports them to a participant."""
    person = data["participants"][0]
    tallies: dict[int, int] = {}
    count, page = 0, 1
    while True:
        url = f"{base_url}/api/ideas/campaigns/{data['campaign']}/ideas?page={page}&page_size=100"
        req = urllib.request.Request(url, headers={"Cookie": person["cookie"]})
        with urllib.request.urlopen(req, timeout=60) as response:
            body = json.load(response)
        count = body["count"]
        for item in body["items"]:
            tallies[item["id"]] = item["votes"]
        if page * 100 >= count:
            return count, tallies
        page += 1


def check(log_lines: list[str], seeded: int, count: int, tallies: dict[int, int]) -> dict[str, int]:
    statuses: Counter[str] = Counter()
    accepted: Counter[int] = Counter()
    maybe: Counter[int] = Counter()
    errors = submitted = maybe_ideas = refused = 0
    for line in log_lines:
        kind, idea_text, expect, status = line.split(",")
        idea = int(idea_text)
        if status == "cut":  # no response before the run ended: may or may not count
            if kind == "v" and expect == "302":
                maybe[idea] += 1
            elif kind == "s":
                maybe_ideas += 1
            continue
        statuses[status] += 1
        if status != expect:
            errors += 1
            continue
        if kind == "s":
            submitted += 1
        elif status == "302":
            accepted[idea] += 1
        else:
            refused += 1
    lost = double = 0
    for idea in set(tallies) | set(accepted):
        have = tallies.get(idea, 0) or 0
        lost += max(0, accepted[idea] - have)
        double += max(0, have - accepted[idea] - maybe[idea])
    missing_ideas = max(0, seeded + submitted - count)
    extra_ideas = max(0, count - seeded - submitted - maybe_ideas)
    return {
        "errors": errors,
        "lost votes": lost,
        "double-counted votes": double,
        "votes accepted": sum(accepted.values()),
        "repeat votes refused": refused,
        "ideas submitted": submitted,
        "ideas lost or extra": missing_ideas + extra_ideas,
        "cut off by the end of the run": sum(maybe.values()) + maybe_ideas,
        **{f"status {k}": v for k, v in sorted(statuses.items())},
    }


# --- Entry point ------------------------------------------------------------------------------


def _split_argv(argv: list[str]) -> tuple[list[str], int, float]:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--people", type=int, default=DEFAULT_PEOPLE)
    parser.add_argument("--floor-seconds", type=float, default=15.0)
    own, rest = parser.parse_known_args(argv)
    if not any(a.startswith("--seconds") for a in rest) and not os.environ.get("BENCH_SECONDS"):
        rest = ["--seconds", str(DEFAULT_SECONDS), *rest]
    if own.people < 1 or own.floor_seconds < 1:
        parser.error("need --people >= 1 and --floor-seconds >= 1")
    return rest, own.people, own.floor_seconds


def line(metric: str, value: float, unit: str, n: int, reference: str = "none",
         ratio: float | None = None) -> dict[str, Any]:  # fmt: skip
    return {"bench": BENCH, "metric": metric, "value": round(value, 3), "unit": unit,
            "reference": reference, "ratio": ratio, "n": n}  # fmt: skip


def run(options: Options, people: int, floor_seconds: float) -> list[dict[str, Any]]:
    os.environ["IDEAS_BENCH_PEOPLE"] = str(people)  # read by seed() in the site's interpreter
    with tempfile.TemporaryDirectory(prefix="whatworks-bench-ideas-") as tmp:
        workdir = Path(tmp)
        floor_script = workdir / "floor.lua"
        floor_script.write_text(FLOOR_LUA)
        with site(options, seed, workdir) as base_url:
            data = json.loads((workdir / "var" / SEED_FILE).read_text())
            script = workdir / "people.lua"
            log_path = workdir / "responses.log"
            script.write_text(load_script(data, log_path))
            floor_url = base_url + LAYOUT_FLOOR.path
            if options.warmup > 0:
                run_wrk(floor_url, floor_script, people, options.warmup)
                _drain(base_url)
            floors = [run_wrk(floor_url, floor_script, people, floor_seconds)]
            _drain(base_url)
            print(f"load: {people} people for {options.seconds:g} s", file=sys.stderr)
            load = run_wrk(base_url + "/", script, people, options.seconds)
            _drain(base_url)
            time.sleep(1)  # requests cut off by the end of the run finish on the server
            _drain(base_url)
            floors.append(run_wrk(floor_url, floor_script, people, floor_seconds))
            count, tallies = api_tallies(base_url, data)
            outcome = check(log_path.read_text().splitlines(), len(data["ideas"]), count, tallies)
    n = options.n
    lines = []
    floor = {
        k: statistics.median(f[k] for f in floors) / 1000 for k in ("p50_us", "p95_us", "p99_us")
    }
    for suffix, key in (("p50", "p50_us"), ("p95", "p95_us"), ("p99", "p99_us")):
        lines.append(line(f"layout floor, {people} connections {suffix}", floor[key], "ms", n))
    for suffix, key in (("p50", "p50_us"), ("p95", "p95_us"), ("p99", "p99_us")):
        value = load[key] / 1000
        ratio = round(value / floor[key], 3) if floor[key] > 0 else None
        lines.append(
            line(
                f"submit and vote, {people} people {suffix}",
                value,
                "ms",
                n,
                f"layout floor, {people} connections {suffix}",
                ratio,
            )
        )
    rps = load["requests"] / (load["duration_us"] / 1e6)
    lines.append(line(f"submit and vote, {people} people req/s", rps, "req/s", n))
    for metric, value in outcome.items():
        lines.append(line(metric, value, "count", n))
    return lines


def main(argv: list[str] | None = None) -> int:
    rest, people, floor_seconds = _split_argv(list(sys.argv[1:] if argv is None else argv))
    try:
        options = parse_options(rest, "Staff ideas: 100 people submitting and voting.", DEFAULT_N)
        if shutil.which("wrk") is None:
            raise BenchError("wrk is not installed (Debian: apt-get install wrk).")
        budget = options.timeout or (240 + 2 * (options.seconds + 2 * floor_seconds))
        signal.signal(signal.SIGALRM, _raise_timeout)
        signal.signal(signal.SIGTERM, _raise_exit)
        signal.alarm(max(1, int(budget)))
        try:
            lines = run(options, people, floor_seconds)
        finally:
            signal.alarm(0)
    except BenchError as error:
        print(f"bench {BENCH} failed: {error}", file=sys.stderr)
        return 2
    for entry in lines:
        print(json.dumps(entry), flush=True)
    figures = {entry["metric"]: entry for entry in lines}
    broken = [m for m in ("errors", "lost votes", "double-counted votes", "ideas lost or extra")
              if figures[m]["value"]]  # fmt: skip
    p95 = figures[f"submit and vote, {people} people p95"]
    print(
        f"bench {BENCH}: {options.database}, {people} people, {options.seconds:g} s: "
        f"p95 {p95['value']:.1f} ms ({p95['ratio']}x the layout floor at the same load); "
        f"{figures['votes accepted']['value']:.0f} votes counted, "
        f"{figures['repeat votes refused']['value']:.0f} repeats refused, "
        f"{figures['ideas submitted']['value']:.0f} ideas; problems: {broken or 'none'}",
        file=sys.stderr,
    )
    return 2 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
