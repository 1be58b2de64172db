"""The import layers: core < recruiting < curriculum < assignments < cms.

An app's code imports only the apps below it, and no project import hides inside a
function to dodge a loop (an ``AppConfig.ready`` method aside, where Django wants
signal wiring). ``config``, ``bench`` and the root ``conftest.py`` sit above every app
and may import any of them; the ``bench`` scripts configure Django themselves, so they
import the project's models inside functions, after ``django.setup()``. Tests (an app's
``tests`` package) may import any app: they drive the product end to end, and the public
site an applicant applies on is built by ``cms``. Migrations are left out: Django writes them.
"""

import ast
from pathlib import Path

from django.conf import settings

LAYERS = ["core", "recruiting", "curriculum", "assignments", "cms"]
ABOVE_ALL = {"config", "bench", "conftest"}
SCRIPTS = {"bench"}
PROJECT = set(LAYERS) | ABOVE_ALL
BASE_DIR = Path(settings.BASE_DIR)


def _project_modules() -> list[Path]:
    paths = []
    for top in sorted(PROJECT):
        root = BASE_DIR / top
        if root.is_dir():
            paths += [p for p in root.rglob("*.py") if "migrations" not in p.parts]
        elif root.with_suffix(".py").is_file():
            paths.append(root.with_suffix(".py"))
    return sorted(paths)


def _imported_roots(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name.split(".")[0] for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return [node.module.split(".")[0]]
    return []


def _imports_with_scope(tree: ast.Module):
    """Yield (import node, name of the enclosing function or None)."""

    def walk(node: ast.AST, function: str | None):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                yield from walk(child, child.name)
            elif isinstance(child, ast.Import | ast.ImportFrom):
                yield child, function
            else:
                yield from walk(child, function)

    yield from walk(tree, None)


def _problems(relative: Path, source: str) -> list[str]:
    """Return the imports of one module that break the layers, as readable lines."""
    app = relative.parts[0].removesuffix(".py")
    may_import_any = app in ABOVE_ALL or "tests" in relative.parts or relative.name == "conftest.py"
    tree = ast.parse(source, filename=str(relative))
    problems = []
    for node, function in _imports_with_scope(tree):
        for root in _imported_roots(node):
            if root not in PROJECT:
                continue
            if function is not None and function != "ready" and app not in SCRIPTS:
                problems.append(f"{relative}:{node.lineno} imports {root} inside {function}()")
            if may_import_any or root == app:
                continue
            if root in ABOVE_ALL or LAYERS.index(root) > LAYERS.index(app):
                problems.append(f"{relative}:{node.lineno} imports {root}, a layer above {app}")
    return problems


def test_it_lists_the_project_modules():
    names = {str(p.relative_to(BASE_DIR)) for p in _project_modules()}
    assert {"core/errors.py", "cms/models.py", "conftest.py"} <= names
    assert not any("migrations" in name for name in names)


def test_it_keeps_every_import_on_its_layer():
    problems = []
    for path in _project_modules():
        problems += _problems(path.relative_to(BASE_DIR), path.read_text())
    assert problems == []


def test_it_catches_an_upward_import():
    source = "from cms.models import HomePage\nfrom core.errors import DomainError\n"
    assert _problems(Path("recruiting/views.py"), source) == [
        "recruiting/views.py:1 imports cms, a layer above recruiting"
    ]


def test_it_catches_an_import_hidden_in_a_function():
    source = "def apply(request):\n    from recruiting.views import application_form\n"
    assert _problems(Path("cms/models.py"), source) == ["cms/models.py:2 imports recruiting inside apply()"]


def test_it_lets_app_config_ready_import_and_tests_reach_up():
    ready = "class C:\n    def ready(self):\n        from recruiting import signals\n"
    assert _problems(Path("recruiting/apps.py"), ready) == []
    assert _problems(Path("recruiting/tests/test_apply.py"), "from cms.tests.sitetree import build_site\n") == []
