"""Benchmark: the worst uploads are read and checked in bounded time and memory.

Issue 12 found uploads that could exhaust the server; each case rebuilds one of those files
(or the worst of its kind under today's limits) and runs the check the upload view runs:

* ``columns_40k``: a trial unit list whose header has 40,000 columns in about 340 KB (the
  quadratic duplicate-column check took 54 s of CPU);
* ``xlsx_bomb``: an XLSX of a few hundred KB whose shared strings unpack to about 135 MB
  (34 s and 480 MB);
* ``csv_46mb_units``: a 46 MB unit list, 1,000,000 units with baseline columns (1.47 GB);
* ``csv_46mb_outcomes``: a 46 MB outcome file for 1,000,000 allocated units;
* ``csv_46mb_bad_outcomes``: the same, every unit unknown (every row an error);
* ``csv_46mb_short_rows``: 46 MB of one-character rows, far past the row limit;
* ``xlsx_largest``: a workbook just under the unpacked-size limit (openpyxl is the slow
  reader, so this is the longest a workbook can take).

Each case runs in a fresh interpreter (``--worker``): it reads the file into memory as the
upload view does, runs ``whatworks.trials.imports.check_units`` or ``check_outcomes`` (a
refusal with a message is an answer too), and reports the check's wall time and the
process's CPU time and wall time for the check, and its peak resident memory (VmHWM:
interpreter, imports, the file and everything the check held). The reference, measured in
the same run: the floor, the same worker checking a one-row file. Times are medians of
``--rounds`` runs; memory is the largest peak. Targets: every case within 5 s of CPU and
300 MB. CPU time is the target because the machines are shared: with more runnable
processes than cores, wall time also counts the wait for a core (the load average is
printed with the results, and the wall time is reported beside the CPU time).

stdout: one JSON object per line (DESIGN.md "Benchmarks"); ratio = value / floor.

    .venv/bin/python bench/uploads.py [--rounds 3] [--check]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
REPO = _HERE.parent
if sys.path and Path(sys.path[0] or ".").resolve() == _HERE:
    sys.path[0] = str(REPO)

BENCH = "uploads"
TARGET_S = 5.0
TARGET_MB = 300.0
UNITS = 1_000_000
FILE_BYTES = 46 * 1024 * 1024


# --- The files ------------------------------------------------------------------------------


def _unit(i: int, width: int = 9) -> str:
    return f"T{i:0{width}d}"


def _outcome_unit(i: int) -> str:
    # Long ids, as some housing systems have: 1,000,000 rows of them make 46 MB.
    return f"tenancy-{i:09d}-" + "0" * 25


def columns_40k() -> bytes:
    header = ",".join(f"c{i:05d}" for i in range(40_000))
    return (header + "\n" + ",".join("1" for _ in range(40_000)) + "\n").encode()


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
    b'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="'
    b'application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.'
    b'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/'
    b'worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    b'spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="'
    b'application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)


def xlsx_bomb() -> bytes:
    """A well-formed workbook whose shared strings unpack to about 135 MB: 4,500 strings of
    30,000 characters each, which compress to almost nothing."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["unit_id", "note"])
    for i in range(20):
        sheet.append([_unit(i), f"note {i}"])
    out = io.BytesIO()
    workbook.save(out)
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    members = {info.filename: source.read(info.filename) for info in source.infolist()}
    rng = random.Random(12)
    strings = [b"<si><t>unit_id</t></si>", b"<si><t>note</t></si>"]
    for _ in range(4_500):
        letter = rng.choice(b"ABCDEFGH")
        strings.append(b"<si><t>" + bytes([letter]) * 30_000 + b"</t></si>")
    members["xl/sharedStrings.xml"] = (
        b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main" count="4502" uniqueCount="4502">' + b"".join(strings) + b"</sst>"
    )
    members.setdefault("[Content_Types].xml", _CONTENT_TYPES)
    return _zip(members)


def _lines(line: Callable[[int], str], rows: int) -> bytes:
    out = io.StringIO()
    for i in range(rows):
        out.write(line(i))
    return out.getvalue().encode()


def csv_46mb_units() -> bytes:
    """1,000,000 units with four baseline columns: 46 MB."""
    rng = random.Random(7)
    wards = [f"Ward {n:02d}" for n in range(40)]
    return b"unit_id,age,ward,score,street\n" + _lines(
        lambda i: (
            f"{_unit(i)},{rng.randint(18, 99)},{rng.choice(wards)},"
            f"{rng.random():.4f},{i % 997:03d} High Street\n"
        ),
        UNITS,
    )


def _outcomes(unit: Callable[[int], str]) -> bytes:
    order = list(range(UNITS))
    random.Random(11).shuffle(order)
    return b"unit_id,outcome\n" + _lines(lambda i: f"{unit(order[i])},{i % 2}\n", UNITS)


def csv_46mb_outcomes() -> bytes:
    return _outcomes(_outcome_unit)


def csv_46mb_bad_outcomes() -> bytes:
    return _outcomes(lambda i: _outcome_unit(i).replace("tenancy", "unknown"))


def csv_46mb_short_rows() -> bytes:
    return b"unit_id\n" + b"1\n" * (FILE_BYTES // 2)


def _workbook(rows: int) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Outcomes")
    sheet.append(["unit_id", "outcome"])
    for i in range(rows):
        sheet.append([_outcome_unit(i), i % 2])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _unpacked(raw: bytes) -> int:
    return sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(raw)).infolist())


def xlsx_largest() -> bytes:
    """A workbook of unit ids and outcomes just under the unpacked-size limit."""
    from whatworks.core import tabular

    small, large = _unpacked(_workbook(1_000)), _unpacked(_workbook(2_000))
    per_row = (large - small) / 1_000
    rows = int((tabular.MAX_UNPACKED_BYTES * 0.99 - (small - 1_000 * per_row)) / per_row)
    raw = _workbook(rows)
    while _unpacked(raw) > tabular.MAX_UNPACKED_BYTES:  # the estimate was a little high
        rows = int(rows * 0.98)
        raw = _workbook(rows)
    return raw


def floor_file() -> bytes:
    return b"unit_id,outcome\n" + f"{_outcome_unit(0)},1\n".encode()


# case -> (file builder, file name, what is checked, allocated units for outcomes)
CASES: dict[str, tuple[Callable[[], bytes], str, str]] = {
    "floor": (floor_file, "floor.csv", "outcomes"),
    "columns_40k": (columns_40k, "units.csv", "units"),
    "xlsx_bomb": (xlsx_bomb, "units.xlsx", "units"),
    "csv_46mb_units": (csv_46mb_units, "units.csv", "units"),
    "csv_46mb_outcomes": (csv_46mb_outcomes, "outcomes.csv", "outcomes"),
    "csv_46mb_bad_outcomes": (csv_46mb_bad_outcomes, "outcomes.csv", "outcomes"),
    "csv_46mb_short_rows": (csv_46mb_short_rows, "units.csv", "units"),
    "xlsx_largest": (xlsx_largest, "outcomes.xlsx", "outcomes"),
}


# --- The worker (a fresh interpreter per measurement) ---------------------------------------


def worker(case: str, path: str) -> None:
    from whatworks.trials import imports

    _, filename, checks = CASES[case]
    # An outcome check holds the allocation's units, as trials.services loads them.
    count = 0 if checks != "outcomes" else 1 if case == "floor" else UNITS
    units = [_outcome_unit(i) for i in range(count)]
    raw = Path(path).read_bytes()  # the upload, in memory as the view holds it
    start, cpu_start = time.perf_counter(), time.process_time()
    try:
        with imports.bulk_objects():  # as trials.services runs the checks
            if checks == "units":
                checked: Any = imports.check_units(raw, filename=filename)
                answer = f"accepted {checked.n:,} units"
            else:
                checked = imports.check_outcomes(
                    raw, kind="proportion", units=units, filename=filename
                )
                answer = f"accepted {checked.rows:,} rows"
    except imports.UploadRejected as refused:
        answer = f"refused: {refused.summary}"
    cpu = time.process_time() - cpu_start
    wall = time.perf_counter() - start
    print(json.dumps({"cpu": cpu, "wall": wall, "peak_mb": _peak_mb(), "answer": answer}))


def _peak_mb() -> float:
    """This process's peak resident memory. VmHWM, not getrusage's ru_maxrss: on Linux
    ru_maxrss carries over the parent's peak across fork and exec, so a worker started by a
    parent holding the test files would report the parent's size."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _measure(case: str, path: Path, timeout: float) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--worker", case, str(path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{case}: the worker failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _line(metric: str, value: float, unit: str, reference: float, n: int) -> dict[str, Any]:
    return {
        "bench": BENCH,
        "metric": metric,
        "value": round(value, 4),
        "unit": unit,
        "reference": f"floor: the same worker checking a one-row file ({reference:.3g} {unit})",
        "ratio": round(value / reference, 2) if reference else None,
        "n": n,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--case", action="append", help="only these cases (repeatable)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--timeout", type=float, default=600, help="seconds one measurement may take (a hang)"
    )
    parser.add_argument("--worker", nargs=2, metavar=("CASE", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(*args.worker)
        return 0
    cases = [c for c in CASES if c != "floor" and (not args.case or c in args.case)]
    missed = []
    with tempfile.TemporaryDirectory(prefix="bench-uploads-") as tmp:
        files: dict[str, Path] = {}
        for case in ["floor", *cases]:
            build, filename, _ = CASES[case]
            files[case] = Path(tmp) / f"{case}-{filename}"
            files[case].write_bytes(build())
            print(f"{BENCH}: built {case} ({files[case].stat().st_size:,} bytes)", file=sys.stderr)
        runs: dict[str, list[dict[str, Any]]] = {c: [] for c in ["floor", *cases]}
        for _ in range(args.rounds):  # interleaved: noise hits every case alike
            for case in runs:
                runs[case].append(_measure(case, files[case], args.timeout))
        floor_cpu = statistics.median(r["cpu"] for r in runs["floor"])
        floor_wall = statistics.median(r["wall"] for r in runs["floor"])
        floor_mb = max(r["peak_mb"] for r in runs["floor"])
        for case in cases:
            cpu = statistics.median(r["cpu"] for r in runs[case])
            wall = statistics.median(r["wall"] for r in runs[case])
            peak = max(r["peak_mb"] for r in runs[case])
            size = files[case].stat().st_size
            print(json.dumps(_line(f"{case} cpu seconds", cpu, "s", floor_cpu, size)))
            print(json.dumps(_line(f"{case} wall seconds", wall, "s", floor_wall, size)))
            print(json.dumps(_line(f"{case} peak memory", peak, "MB", floor_mb, size)))
            ok = cpu <= TARGET_S and peak <= TARGET_MB
            print(
                f"{BENCH}: {case}: {cpu:.2f} s of CPU ({wall:.2f} s wall), {peak:.0f} MB peak "
                f"({'ok' if ok else 'MISSED'}: {runs[case][-1]['answer']})",
                file=sys.stderr,
            )
            if not ok:
                missed.append(case)
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"{BENCH}: load average {load:.1f} on {os.cpu_count()} cores", file=sys.stderr)
    if missed:
        print(f"{BENCH}: targets missed ({TARGET_S} s, {TARGET_MB} MB): {missed}", file=sys.stderr)
    return 1 if missed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
