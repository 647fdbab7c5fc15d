"""Allocation: reproducible, balanced within strata, clusters kept whole, ratios honoured."""

from __future__ import annotations

import math
import random
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from whatworks.stats import StatsRefusal
from whatworks.trials.randomise import (
    ALGORITHM_VERSION,
    allocate,
    balance_table,
    check_allocation,
)

TENANTS = [f"T{i:04d}" for i in range(300)]
ARMS = ["usual letter", "new letter"]


def test_it_gives_the_same_allocation_for_the_same_seed() -> None:
    first = allocate(TENANTS, ARMS, seed=41)
    second = allocate(TENANTS, ARMS, seed=41)
    assert first == second
    assert first.seed == 41
    assert "seed 41" in first.method and ALGORITHM_VERSION in first.method


def test_it_gives_a_different_allocation_for_a_different_seed() -> None:
    assert allocate(TENANTS, ARMS, seed=41).arms != allocate(TENANTS, ARMS, seed=42).arms


def test_it_does_not_depend_on_the_row_order() -> None:
    shuffled = TENANTS[:]
    random.Random(5).shuffle(shuffled)
    assert allocate(shuffled, ARMS, seed=7).as_dict() == allocate(TENANTS, ARMS, seed=7).as_dict()


def test_it_draws_and_returns_a_seed_when_none_is_given() -> None:
    allocation = allocate(TENANTS, ARMS)
    assert allocate(TENANTS, ARMS, seed=allocation.seed).arms == allocation.arms


def test_simple_allocation_is_balanced_to_within_one_block() -> None:
    counts = allocate(TENANTS[: 301 - 2], ARMS, seed=3).counts()
    assert abs(counts["usual letter"] - counts["new letter"]) <= 1


@pytest.mark.parametrize("ratio", [[2, 1], [1, 1, 1, 1], [3, 2, 1]])
def test_it_honours_unequal_ratios_exactly_for_whole_blocks(ratio: list[int]) -> None:
    arms = [f"arm {i}" for i in range(len(ratio))]
    units = [f"u{i}" for i in range(sum(ratio) * 25)]
    counts = allocate(units, arms, ratio=ratio, seed=11).counts()
    assert list(counts.values()) == [25 * r for r in ratio]


def test_stratified_allocation_balances_each_stratum_to_within_one_block() -> None:
    rng = np.random.default_rng(0)
    strata = [str(s) for s in rng.choice(["north", "south", "east", "town centre"], 300)]
    allocation = allocate(
        TENANTS, ARMS, ratio=[2, 1], method="stratified", strata=strata, seed=9, block_multiplier=2
    )
    assert allocation.block_size == 6
    for stratum in set(strata):
        arms = [a for a, s in zip(allocation.arms, strata, strict=True) if s == stratum]
        size = len(arms)
        counts = Counter(arms)
        for arm, share in zip(ARMS, [2, 1], strict=True):
            per_block = share * 2
            assert (size // 6) * per_block <= counts[arm] <= math.ceil(size / 6) * per_block


def test_cluster_allocation_never_splits_a_cluster() -> None:
    streets = [f"street {i % 170}" for i in range(1700)]
    units = [f"house {i}" for i in range(1700)]
    arms = ["none", "voucher", "prize draw", "thank-you letter"]
    allocation = allocate(units, arms, method="cluster", clusters=streets, seed=2017)
    arm_of_street: dict[str, set[str]] = {}
    for street, arm in zip(streets, allocation.arms, strict=True):
        arm_of_street.setdefault(street, set()).add(arm)
    assert all(len(a) == 1 for a in arm_of_street.values())
    per_arm = Counter(next(iter(a)) for a in arm_of_street.values())
    assert sorted(per_arm.values()) == [42, 42, 43, 43]  # 170 streets in blocks of 4


def test_cluster_allocation_can_be_stratified_at_cluster_level() -> None:
    streets = [f"s{i % 40}" for i in range(400)]
    wards = [f"ward {int(s[1:]) % 4}" for s in streets]
    allocation = allocate(
        [f"h{i}" for i in range(400)],
        ARMS,
        method="cluster",
        clusters=streets,
        strata=wards,
        seed=1,
    )
    for ward in set(wards):
        chosen = {
            (s, a) for s, a, w in zip(streets, allocation.arms, wards, strict=True) if w == ward
        }
        assert Counter(a for _, a in chosen) == {"usual letter": 5, "new letter": 5}


def test_it_refuses_a_cluster_that_spans_two_strata() -> None:
    with pytest.raises(StatsRefusal, match="more than one stratum"):
        allocate(["a", "b"], ARMS, method="cluster", clusters=["s1", "s1"], strata=["x", "y"])


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"units": ["a", "a"], "arm_names": ARMS}, "more than once"),
        ({"units": ["a", None], "arm_names": ARMS}, "no identifier"),
        ({"units": [], "arm_names": ARMS}, "no units"),
        ({"units": ["a"], "arm_names": ["only"]}, "at least two arms"),
        ({"units": ["a"], "arm_names": ARMS, "ratio": [1, 0]}, "at least 1"),
        ({"units": ["a"], "arm_names": ARMS, "ratio": [1.5, 1]}, "whole numbers"),
        ({"units": ["a"], "arm_names": ARMS, "method": "stratified"}, "stratum for every"),
        ({"units": ["a"], "arm_names": ARMS, "method": "cluster"}, "cluster for every"),
        ({"units": ["a"], "arm_names": ARMS, "seed": -1}, "seed"),
    ],
)
def test_it_refuses_bad_input_with_a_reason(kwargs: dict, reason: str) -> None:
    with pytest.raises(StatsRefusal, match=reason):
        allocate(**kwargs)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 400),
    ratio=st.lists(st.integers(1, 4), min_size=2, max_size=4),
    seed=st.integers(0, 2**63 - 1),
)
def test_property_arm_sizes_stay_within_one_block_of_the_ratio(
    n: int, ratio: list[int], seed: int
) -> None:
    arms = [f"a{i}" for i in range(len(ratio))]
    counts = allocate([f"u{i}" for i in range(n)], arms, ratio=ratio, seed=seed).counts()
    block = sum(ratio)
    assert sum(counts.values()) == n
    for arm, share in zip(arms, ratio, strict=True):
        assert (n // block) * share <= counts[arm] <= math.ceil(n / block) * share


# -- allocation check ------------------------------------------------------------------------


def test_the_allocation_check_is_scipys_chi_square_goodness_of_fit() -> None:
    check = check_allocation([118, 52], [2, 1])
    expected = sps.chisquare([118, 52], [170 * 2 / 3, 170 / 3])
    assert check.statistic == pytest.approx(expected.statistic)
    assert check.p_value == pytest.approx(expected.pvalue)
    assert check.df == 1 and not check.failed
    assert check.message.startswith("Allocation check passed")


def test_the_allocation_check_fails_below_one_in_a_thousand() -> None:
    check = check_allocation({"usual letter": 600, "new letter": 400}, [1, 1])
    assert check.p_value < 0.001 and check.failed
    assert check.message.startswith("Allocation check failed")


def test_a_real_allocation_passes_its_check() -> None:
    allocation = allocate(TENANTS, ["a", "b", "c"], ratio=[2, 1, 1], seed=5)
    assert not check_allocation(allocation.counts(), [2, 1, 1]).failed


def test_the_allocation_check_refuses_nothing_allocated() -> None:
    with pytest.raises(StatsRefusal, match="No units"):
        check_allocation([0, 0], [1, 1])


# -- balance table ---------------------------------------------------------------------------


def test_the_balance_table_gives_mean_sd_and_smd_for_numbers() -> None:
    arms = ["c", "t", "c", "t", "c", "t", "c"]
    arrears = [100.0, 120.0, 80.0, None, 90.0, 150.0, 110.0]
    table = balance_table(arms, {"arrears": arrears}, arm_names=["c", "t"])
    row = table.rows[0]
    control, treated = np.array([100, 80, 90, 110.0]), np.array([120, 150.0])
    assert row.n == (4, 2) and row.missing == (0, 1)
    assert row.mean == pytest.approx((control.mean(), treated.mean()))
    assert row.sd == pytest.approx((control.std(ddof=1), treated.std(ddof=1)))
    pooled = math.sqrt((control.var(ddof=1) + treated.var(ddof=1)) / 2)
    assert row.smd[0] is None
    assert row.smd[1] == pytest.approx((treated.mean() - control.mean()) / pooled)


def test_the_balance_table_gives_counts_and_percent_for_categories() -> None:
    arms = ["c", "c", "c", "c", "t", "t"]
    tenure = ["council", "council", "housing association", "", "council", "housing association"]
    table = balance_table(arms, {"tenure": tenure})
    council = next(r for r in table.rows if r.level == "council")
    assert council.count == (2, 1) and council.n == (3, 2) and council.missing == (1, 0)
    assert council.percent == pytest.approx((200 / 3, 50.0))
    p1, p0 = 0.5, 2 / 3
    assert council.smd[1] == pytest.approx(
        (p1 - p0) / math.sqrt((p1 * (1 - p1) + p0 * (1 - p0)) / 2)
    )
