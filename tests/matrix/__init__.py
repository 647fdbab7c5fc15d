"""Permission-matrix entries of later apps, one module each, merged into the matrix.

An app's module defines `ENTRIES: dict[str, Entry]` keyed by URL name, built with the
helpers in tests/matrix/support.py, and may define `PERMISSIONS: set[str]`, the rules
permissions the app adds (checked by tests/test_permissions_defined.py); both are picked up
automatically.
"""

import importlib
import pkgutil

from tests.matrix.support import Entry

APP_ENTRIES: dict[str, Entry] = {}
APP_PERMISSIONS: set[str] = set()
for module_info in pkgutil.iter_modules(__path__):
    if module_info.name != "support":
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        APP_ENTRIES.update(module.ENTRIES)
        APP_PERMISSIONS.update(getattr(module, "PERMISSIONS", set()))
