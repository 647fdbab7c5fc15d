"""Package-level guarantees: public API, frozen results, and no Django dependency."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

import whatworks.stats
from whatworks import stats

PACKAGE_DIR = Path(whatworks.stats.__file__).parent


def test_public_api_is_exported() -> None:
    for name in stats.__all__:
        assert hasattr(stats, name), name


def test_no_module_imports_django() -> None:
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                continue
            for module in modules:
                assert module.split(".")[0] != "django", f"{path.name} imports {module}"


def test_results_are_frozen_dataclasses() -> None:
    results = [
        stats.compare_proportions(56, 70, 48, 80),
        stats.compare_means([1.0, 2.0, 4.0], [0.0, 1.0, 1.5]),
        stats.proportion_interval(3, 10),
        stats.chi_square_proportions([3, 5], [10, 10]),
        stats.fisher_exact([[3, 1], [1, 3]]),
        stats.power_two_means(1, 1, n_per_arm=20),
        stats.power_two_proportions(0.5, 0.75, n_per_arm=50),
        stats.mde_two_proportions(0.5, 50),
        stats.kaplan_meier([1, 2, 3], [1, 0, 1]),
        stats.logrank([1, 2, 3], [1, 0, 1], [2, 3, 4], [1, 1, 0]),
        stats.estimate_effect([1.0, 2.0, 2.5, 4.0, 3.0, 5.0], [0, 0, 0, 1, 1, 1]),
        stats.random_effects([0.1, 0.3, 0.2], [0.01, 0.02, 0.015]),
        stats.summarise([1.0, 2.0]),
    ]
    for result in results:
        assert dataclasses.is_dataclass(result)
        field = dataclasses.fields(result)[0].name
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(result, field, 0)


def test_package_docstring_documents_refusals() -> None:
    assert stats.__doc__ is not None
    assert "StatsRefusal" in stats.__doc__
    assert "ValueError" in stats.__doc__
