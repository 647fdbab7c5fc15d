"""No view handles a submitted form or a button by hand: they go through core.forms.submit and
core.forms.act.

The pasted blocks this catches are ``if request.method == "POST" and form.is_valid(): try: ...
except ValidationError: ... else: messages.success(...); return redirect(...)`` (written as one
``if`` or as an ``if`` on the method around an ``if`` on the form), and a button's ``try:
service(...) except ValidationError as error: messages.error(...)``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APPS = Path(__file__).resolve().parents[1] / "whatworks"
# Views that catch a service's refusal themselves, each for the reason its comment gives.
OWN_HANDLING = {"observation_import_confirm", "_visit_record"}


def _mentions_post(node: ast.AST) -> bool:
    return any(
        isinstance(n, ast.Compare)
        and any(isinstance(c, ast.Constant) and c.value == "POST" for c in n.comparators)
        for n in ast.walk(node)
    )


def _calls_is_valid(nodes: list[ast.stmt] | ast.AST) -> bool:
    roots = nodes if isinstance(nodes, list) else [nodes]
    return any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "is_valid"
        for root in roots
        for n in ast.walk(root)
    )


def pasted_blocks(source: str) -> list[int]:
    """Line numbers of ``if`` statements that test for a POST and validate a form inside."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.If)
        and _mentions_post(node.test)
        and (_calls_is_valid(node.test) or _calls_is_valid(node.body))
    ]


def _is_validation_error(handler: ast.ExceptHandler) -> bool:
    caught = handler.type
    names = caught.elts if isinstance(caught, ast.Tuple) else [caught]
    return any(isinstance(n, ast.Name) and n.id == "ValidationError" for n in names)


def _shows_a_message(nodes: list[ast.stmt]) -> bool:
    return any(
        isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and isinstance(n.func.value, ast.Name)
        and n.func.value.id == "messages"
        for root in nodes
        for n in ast.walk(root)
    )


def pasted_buttons(source: str) -> list[int]:
    """Line numbers of ``except ValidationError`` handlers that tell the person by hand."""
    found = []
    for function in ast.walk(ast.parse(source)):
        if not isinstance(function, ast.FunctionDef) or function.name in OWN_HANDLING:
            continue
        found += [
            node.lineno
            for node in ast.walk(function)
            if isinstance(node, ast.ExceptHandler)
            and _is_validation_error(node)
            and _shows_a_message(node.body)
        ]
    return sorted(set(found))


def _views_modules() -> list[Path]:
    return sorted(APPS.glob("*/views*.py"))


def test_the_check_finds_both_ways_of_pasting_the_block() -> None:
    one_if = 'if request.method == "POST" and form.is_valid():\n    pass\n'
    nested = 'if request.method == "POST":\n    if form.is_valid():\n        pass\n'
    get_filter = "filters = form.cleaned_data if form.is_valid() else {}\n"
    button = 'if request.method == "POST":\n    services.thing_do()\n'
    assert pasted_blocks(one_if) == [1]
    assert pasted_blocks(nested) == [1]
    assert pasted_blocks(get_filter) == []
    assert pasted_blocks(button) == []


def test_the_check_finds_a_pasted_button() -> None:
    button = (
        "def revoke(request):\n"
        "    try:\n"
        "        services.key_revoke(key=key)\n"
        "    except ValidationError as error:\n"
        "        messages.error(request, error.messages[0])\n"
        "    return redirect('manage')\n"
    )
    results = (
        "def results(request):\n"
        "    try:\n"
        "        verdict = services.verdict(trial)\n"
        "    except (StatsRefusal, ValidationError) as error:\n"
        "        context['refusal'] = str(error)\n"
    )
    assert pasted_buttons(button) == [4]
    assert pasted_buttons(results) == []


@pytest.mark.parametrize("path", _views_modules(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_view_pastes_the_form_post_block(path: Path) -> None:
    found = pasted_blocks(path.read_text())
    assert found == [], f"{path.relative_to(APPS.parent)} lines {found}: use core.forms.submit"


@pytest.mark.parametrize("path", _views_modules(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_view_pastes_a_button_block(path: Path) -> None:
    found = pasted_buttons(path.read_text())
    assert found == [], f"{path.relative_to(APPS.parent)} lines {found}: use core.forms.act"


def test_the_check_covers_every_apps_views() -> None:
    apps_with_views = {path.parent.name for path in APPS.glob("*/views.py")}
    assert {"checkins", "ideas", "forum", "initiatives", "trials"} <= apps_with_views
    assert {path.parent.name for path in _views_modules()} == apps_with_views
