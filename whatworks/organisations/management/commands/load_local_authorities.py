"""Load (or refresh) the register of UK local authorities from mySociety's CSV (CC-BY-4.0)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from whatworks.core.cache import bump
from whatworks.organisations.models import LocalAuthority

DEFAULT_PATH = Path(settings.BASE_DIR) / "data" / "uk_local_authorities.csv"
REQUIRED = ["local-authority-code", "official-name", "nice-name", "nation"]


def _date(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def _float(value: str) -> float | None:
    return float(value) if value else None


def parse_row(row: dict[str, str]) -> dict[str, Any]:
    missing = [name for name in REQUIRED if not row.get(name, "").strip()]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    population = _float(row.get("pop-2020", ""))
    return {
        "code": row["local-authority-code"].strip(),
        "gss_code": row.get("gss-code", "").strip() or None,
        "official_name": row["official-name"].strip(),
        "nice_name": row["nice-name"].strip(),
        "authority_type": row.get("local-authority-type", "").strip(),
        "authority_type_name": row.get("local-authority-type-name", "").strip(),
        "nation": row["nation"].strip(),
        "region": row.get("region", "").strip(),
        "population": int(population) if population is not None else None,
        "area_km2": _float(row.get("area", "")),
        "latitude": _float(row.get("lat", "")),
        "longitude": _float(row.get("long", "")),
        "start_date": _date(row.get("start-date", "").strip()),
        "end_date": _date(row.get("end-date", "").strip()),
        "is_current": row.get("current-authority", "").strip() == "True",
    }


class Command(BaseCommand):
    help = "Load the UK local authorities register (mySociety, CC-BY-4.0)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--path", type=Path, default=DEFAULT_PATH)

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        try:
            with path.open(encoding="utf-8", newline="") as handle:
                rows = list(csv.DictReader(handle))
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        if not rows:
            raise CommandError(f"{path} has no rows.")
        parsed = []
        for number, row in enumerate(rows, start=2):  # line 1 is the header
            try:
                parsed.append(parse_row(row))
            except ValueError as error:
                raise CommandError(f"{path}, line {number}: {error}") from error
        # All or nothing: a bad row above stops before anything is written.
        with transaction.atomic():
            existing = {la.code: la for la in LocalAuthority.objects.all()}
            new, changed = [], []
            for values in parsed:
                current = existing.get(values["code"])
                if current is None:
                    new.append(LocalAuthority(**values))
                elif any(getattr(current, k) != v for k, v in values.items()):
                    for k, v in values.items():
                        setattr(current, k, v)
                    changed.append(current)
            LocalAuthority.objects.bulk_create(new)
            LocalAuthority.objects.bulk_update(changed, [k for k in parsed[0] if k != "code"])
            if new or changed:
                bump("organisations")  # bulk writes send no signals
        if options["verbosity"]:
            self.stdout.write(
                f"Local authorities: {len(new)} added, {len(changed)} updated, "
                f"{len(parsed) - len(new) - len(changed)} unchanged."
            )
