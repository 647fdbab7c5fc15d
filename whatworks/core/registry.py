"""Registries: how a lower layer lets higher apps contribute without importing them.

The layers (docs/architecture.md) only point down: the register may not import the forum,
and `core` may not import any app. When a lower part needs something from the apps above
it (a section on an initiative's page, a demo loader, a reaction to a published result), it
owns a `Registry` and the higher app adds to it in its `AppConfig.ready()`. Django runs
`ready()` in INSTALLED_APPS order, so contributions come back in that order: the demo
loaders of later apps run after the ones they build on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    """An ordered list of contributions, each added once."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._items: list[T] = []

    def register(self, item: T) -> T:
        """Add ``item`` (usable as a decorator); adding the same item again does nothing."""
        if item not in self._items:
            self._items.append(item)
        return item

    def __iter__(self) -> Iterator[T]:
        return iter(tuple(self._items))

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"<Registry {self.name}: {len(self._items)} items>"


@dataclass(frozen=True)
class Panel:
    """A section of a page that another app contributes."""

    template: str  # rendered with the page's context plus `panel` (this object)
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 50  # lower comes first


PanelFunction = Callable[..., "Panel | None"]


class PanelRegistry(Registry[PanelFunction]):
    """Functions that each return a Panel to show, or None; called with the page's arguments."""

    def panels(self, *args: Any) -> list[Panel]:
        found = [panel for function in self if (panel := function(*args))]
        return sorted(found, key=lambda panel: panel.order)


class HookRegistry(Registry[Callable[..., None]]):
    """Functions a service calls explicitly at a named point, so that a higher app can act on
    it (notify watchers, keep its copies in step) inside the same transaction."""

    def run(self, *args: Any) -> None:
        for function in self:
            function(*args)
