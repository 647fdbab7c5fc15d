"""Permission-matrix entries for the service's own pages: open to everyone."""

from __future__ import annotations

from tests.matrix.support import Entry, expect

ENTRIES: dict[str, Entry] = {
    "accessibility": Entry(expect(200)),
    "privacy": Entry(expect(200)),
    "cookies": Entry(expect(200)),
    "contact": Entry(expect(200)),
    "feedback": Entry(expect(200)),
}
