"""Demo data for `make run`: each app adds its loader here, and one command runs them all.

An app with demo data has a `demo` module whose `load_demo()` creates what is missing (so it
is safe to run again) and returns a line for the console. The app registers the module's path
in `AppConfig.ready()` (the module is imported only when the demo is loaded), so loaders run
in INSTALLED_APPS order: organisations and people first, then the register, then the schemes
that build on its records. Demo data has known passwords: nothing is created unless DEBUG is on.
"""

from __future__ import annotations

from importlib import import_module

from django.conf import settings

from whatworks.core.registry import Registry

#: Dotted paths of modules with a `load_demo() -> str` function.
modules: Registry[str] = Registry("demo modules")


class DemoDataRefused(RuntimeError):
    pass


def refuse_unless_debug() -> None:
    if not settings.DEBUG:
        raise DemoDataRefused("Demo data has known passwords: it is only created when DEBUG is on.")


def load_all() -> list[str]:
    """Run every registered loader in order; the lines they return."""
    refuse_unless_debug()
    return [str(import_module(path).load_demo()) for path in modules]
