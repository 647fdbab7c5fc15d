"""Page speed under load: is each public page within 3x of the layout floor's p95?

Seeds `--n` organisations (500 by default) and measures, with gunicorn and wrk (see
bench/_harness.py): the framework floor, the layout floor, the home page, the first page
of the organisation list, and that list filtered to councils.

    .venv/bin/python bench/http.py [--seconds 5] [--rounds 3] [--database postgres] [--check]
"""

import sys
from pathlib import Path

# Run as a script, Python puts bench/ first on sys.path, where this file would shadow the
# standard library's `http` package (urllib imports http.client). Put the repository root
# there instead, which also makes `bench._harness` importable.
_HERE = Path(__file__).resolve().parent
if sys.path and Path(sys.path[0] or ".").resolve() == _HERE:
    sys.path[0] = str(_HERE.parent)

from bench._harness import Page, main  # noqa: E402

TARGET_RATIO = 3.0  # from the issue: each page's p95 within 3x the layout floor's p95

PAGES = [
    Page("home", "/"),
    Page("organisation list", "/organisations/"),
    Page("organisation list (councils)", "/organisations/?kind=council"),
]


def seed(n: int) -> None:
    """`n` active organisations, two in five of them councils.

    Runs inside Django (the harness calls it after django.setup()). Councils are the
    platform's main members, and 40% gives more councils than one list page (50), so the
    filtered list is paginated as it will be in use. bulk_create skips the service's audit
    rows, which these pages never read.
    """
    from whatworks.organisations.models import Organisation, OrganisationKind

    others = [kind for kind in OrganisationKind.values if kind != OrganisationKind.COUNCIL]
    organisations = [
        Organisation(
            name=f"Benchmark organisation {i:05d}",
            slug=f"benchmark-organisation-{i:05d}",
            kind=OrganisationKind.COUNCIL if i % 5 < 2 else others[i % len(others)],
            description="An organisation seeded for the http benchmark.",
            website=f"https://org{i}.example.org/",
        )
        for i in range(n)
    ]
    Organisation.objects.bulk_create(organisations, batch_size=500)


if __name__ == "__main__":
    sys.exit(main("http", PAGES, seed, default_n=500, target_ratio=TARGET_RATIO,
                  description=__doc__.splitlines()[0]))  # fmt: skip
