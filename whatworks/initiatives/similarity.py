"""Councils like mine: how similar one council is to another, from the reference data.

The score is a pure function of two council profiles (no database), so it can be tested
and explained. It runs from 0 (nothing in common) to 1 (the same kind of place):

    score = 0.40 x type + 0.20 x region + 0.25 x population + 0.15 x rurality

- type: 1 for the same kind of authority (two non-metropolitan districts), 0.5 for the
  same tier (a unitary and a London borough both run every service), else 0;
- region: 1 in the same region (or nation, outside England), else 0;
- population: 1 for the same population, falling on a log scale to 0 at ten times
  bigger or smaller: 1 - |log10(p1 / p2)|;
- rurality: people per square kilometre, compared the same way but reaching 0 at a
  hundred-fold difference: 1 - |log10(d1 / d2)| / 2.

A part we cannot work out (no population or no area in the reference data, or a
record published without the council's name, where only its type and region are
shown) counts as a half match: every council is treated alike on it, so it neither
helps nor hurts the ranking.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

WEIGHTS = {"type": 0.40, "region": 0.20, "population": 0.25, "rurality": 0.15}
UNKNOWN = 0.5

# Councils that run every local service in their area, whatever they are called.
SINGLE_TIER = frozenset({"UA", "MD", "LBO", "SCO", "WPA", "NID", "CC"})
TIERS: dict[str, str] = {
    **dict.fromkeys(SINGLE_TIER, "single"),
    "NMD": "lower",
    "CTY": "upper",
    "COMB": "strategic",
    "SRA": "strategic",
}

METHOD = (
    "We rank councils by how alike they are to yours: the same kind of council counts most "
    "(40%), then population (25%, on a scale where ten times bigger or smaller counts as "
    "nothing in common), the same region (20%) and how rural the area is (15%, people per "
    "square kilometre). Where we do not know a figure, or a record was shared without the "
    "council's name, that part counts as a half match for everyone."
)


@dataclass(frozen=True)
class CouncilProfile:
    authority_type: str  # the register's code: NMD, UA, LBO, ...
    region: str
    population: int | None = None
    area_km2: float | None = None

    @property
    def density(self) -> float | None:
        if not self.population or not self.area_km2:
            return None
        return self.population / self.area_km2


def _type_match(a: str, b: str) -> float:
    if not a or not b:
        return UNKNOWN
    if a == b:
        return 1.0
    tier_a, tier_b = TIERS.get(a), TIERS.get(b)
    return 0.5 if tier_a is not None and tier_a == tier_b else 0.0


def _region_match(a: str, b: str) -> float:
    if not a or not b:
        return UNKNOWN
    return 1.0 if a == b else 0.0


def _log_ratio_match(a: float | None, b: float | None, zero_at_decades: float) -> float:
    """1 when equal, falling linearly in log10(a/b) to 0 at `zero_at_decades` decades apart."""
    if not a or not b or a <= 0 or b <= 0:
        return UNKNOWN
    return max(0.0, 1.0 - abs(math.log10(a / b)) / zero_at_decades)


def score_parts(reader: CouncilProfile, other: CouncilProfile) -> dict[str, float]:
    return {
        "type": _type_match(reader.authority_type, other.authority_type),
        "region": _region_match(reader.region, other.region),
        "population": _log_ratio_match(reader.population, other.population, 1.0),
        "rurality": _log_ratio_match(reader.density, other.density, 2.0),
    }


def similarity(reader: CouncilProfile, other: CouncilProfile) -> float:
    """How alike two councils are, from 0 to 1 (see the module docstring)."""
    parts = score_parts(reader, other)
    return round(sum(WEIGHTS[name] * value for name, value in parts.items()), 4)


def pseudonym_profile(profile: CouncilProfile) -> CouncilProfile:
    """What a record shared under a pseudonym reveals: the type of council and its region."""
    return CouncilProfile(authority_type=profile.authority_type, region=profile.region)
