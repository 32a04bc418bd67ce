"""Every module has the same anatomy and follows one routing and one API naming convention, so a
reader who knows one module knows them all (design §1 and §6; docs/developer-guide.md, "Adding a
module"; decision 0019).

- Anatomy: ``models``, ``services``, ``views``, ``api``, ``forms``, ``urls``, ``navigation``,
  ``probes``, ``jobs``, ``demo``, ``locale/``, ``engine/`` — each a module or a package, with real
  content (not an empty shell); every module but the core also has ``isolation``.
- Pages: ``urlpatterns`` only in ``urls``; every route named ``<app>:<model>_<action>`` in
  snake case; kebab-case paths; the standard actions at their standard paths
  (``…/`` list, ``…/<int:pk>/`` detail, ``…/add/``, ``…/<int:pk>/edit/``, ``…/<int:pk>/delete/``;
  a nested object's key is ``<int:<child>_pk>``).
- API: every operation of a module's router is named ``<app>_<model>_<action>`` (reversed as
  ``api:<name>``), with a unique snake-case ``operation_id`` and kebab-case paths.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

from hygie import modules
from hygie.api import api

ANATOMY = (
    "models",
    "services",
    "views",
    "api",
    "forms",
    "urls",
    "navigation",
    "probes",
    "jobs",
    "demo",
    "locale",
    "engine",
)
# A part a module may lack, with the reason (shown in the developer guide too).
DOCUMENTED_ABSENCES = {
    ("core", "demo"): "the core builds the organisation the hooks receive "
    "(core/services/demo.py) and then calls every module's demo.py",
    ("core", "engine"): "the core's pure kernel is hygie/lib, shared by every engine",
    ("core", "isolation"): "the isolation test itself builds the core's objects",
}
# Nested objects name their key after the child: incidents/<int:pk>/tasks/<int:task_pk>/edit/.
ACTIONS_AT_PATHS = {
    "add": re.compile(r"(^|/)add/$"),
    "edit": re.compile(r"<int:(\w+_)?pk>/edit/$"),
    "delete": re.compile(r"<int:(\w+_)?pk>/delete/$"),
    "detail": re.compile(r"<int:(\w+_)?pk>/$"),
    "list": re.compile(r"(^|[a-z0-9]/)$"),
}
SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
SEGMENT = re.compile(r"^([a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+)?|<\w+:\w+>|\{\w+(:\w+)?\}|)$")

MODULES = [module for module in modules.discover() if module.package.startswith("hygie.")]


def _ids(module: modules.Module) -> str:
    return module.label


def _folder(module: modules.Module) -> Path:
    return Path(apps.get_app_config(module.label).path)


def _part(folder: Path, name: str) -> Path | None:
    for candidate in (folder / f"{name}.py", folder / name / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _has_content(path: Path) -> bool:
    """More than a docstring and imports: a shell kept only to tick the box does not count."""
    body = ast.parse(path.read_text(encoding="utf-8")).body
    real = [
        node
        for node in body
        if not isinstance(node, ast.Import | ast.ImportFrom)
        and not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
    ]
    if real or path.name != "__init__.py":
        return bool(real)
    return any(
        _has_content(sibling)
        for sibling in path.parent.glob("*.py")
        if sibling.name != "__init__.py"
    )


def test_the_built_in_modules_are_found():
    assert [module.label for module in MODULES][:1] == ["core"]
    assert {"privacy", "detection", "response"} <= {module.label for module in MODULES}


@pytest.mark.parametrize("module", MODULES, ids=_ids)
def test_every_module_has_the_whole_anatomy(module: modules.Module) -> None:
    folder = _folder(module)
    missing, empty = [], []
    expected = [*ANATOMY, "isolation"]
    for name in expected:
        if (module.label, name) in DOCUMENTED_ABSENCES:
            continue
        if name == "locale":
            catalogue = folder / "locale" / "fr" / "LC_MESSAGES"
            if not ((catalogue / "django.po").is_file() and (catalogue / "django.mo").is_file()):
                missing.append("locale/fr/LC_MESSAGES/django.po+.mo")
            continue
        path = _part(folder, name)
        if path is None:
            missing.append(name)
        elif not _has_content(path):
            empty.append(name)
    assert not missing, f"{module.label} lacks {missing}"
    assert not empty, f"{module.label}: {empty} hold nothing but imports"


@pytest.mark.parametrize("module", MODULES, ids=_ids)
def test_urlpatterns_live_only_in_urls(module: modules.Module) -> None:
    folder = _folder(module)
    offenders = []
    for path in folder.rglob("*.py"):
        relative = path.relative_to(folder)
        if relative.parts[0] in {"urls.py", "urls", "migrations"}:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            targets = (
                node.targets
                if isinstance(node, ast.Assign)
                else [node.target]
                if isinstance(node, ast.AnnAssign | ast.AugAssign)
                else []
            )
            if any(isinstance(t, ast.Name) and t.id == "urlpatterns" for t in targets):
                offenders.append(str(relative))
    assert not offenders, f"{module.label}: urlpatterns outside urls: {sorted(set(offenders))}"


def _page_routes() -> dict[str, list[tuple[str, str]]]:
    """Namespace → [(URL name, route below the module's mount point)]."""
    routes: dict[str, list[tuple[str, str]]] = {}

    def walk(patterns: list[Any], prefix: str, namespace: str, mount: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "api":
                    continue
                inner = pattern.namespace or namespace
                below = prefix + str(pattern.pattern)
                walk(pattern.url_patterns, below, inner, below if pattern.namespace else mount)
            elif isinstance(pattern, URLPattern) and namespace:
                route = (prefix + str(pattern.pattern))[len(mount) :]
                routes.setdefault(namespace, []).append((pattern.name or "", route))

    walk(get_resolver().url_patterns, "", "", "")
    return routes


@pytest.mark.parametrize("module", MODULES, ids=_ids)
def test_pages_follow_the_routing_convention(module: modules.Module) -> None:
    urls = import_module(f"{module.package}.urls")
    assert getattr(urls, "app_name", None) == module.label, "app_name must be the module label"
    routes = _page_routes().get(module.label, [])
    assert routes, f"{module.label} mounts no page"
    problems = []
    for name, route in routes:
        if not SNAKE.match(name):
            problems.append(
                f"{module.label}:{name or '<unnamed>'} ({route}): name must be "
                "<model>_<action> in snake case"
            )
            continue
        bad = [segment for segment in route.split("/") if not SEGMENT.match(segment)]
        if bad:
            problems.append(f"{module.label}:{name} ({route}): kebab-case paths only, not {bad}")
        action = name.rsplit("_", 1)[-1]
        if (
            "_" in name
            and action in ACTIONS_AT_PATHS
            and not ACTIONS_AT_PATHS[action].search(route)
        ):
            problems.append(
                f"{module.label}:{name} ({route}): a _{action} page lives at the "
                f"standard path ({ACTIONS_AT_PATHS[action].pattern})"
            )
    assert not problems, "\n".join(problems)


def _api_operations() -> list[tuple[str, str, str, str | None, str]]:
    """(router prefix, method, path, url_name, operation_id) of every API operation."""
    found = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    found.append(
                        (
                            prefix.strip("/"),
                            method,
                            path,
                            path_view.url_name,
                            operation.operation_id or "",
                        )
                    )
    return found


@pytest.mark.parametrize("module", MODULES, ids=_ids)
def test_api_follows_the_naming_convention(module: modules.Module) -> None:
    api_module = import_module(f"{module.package}.api")
    prefix = getattr(api_module, "PREFIX", module.label).strip("/")
    operations = [
        op
        for op in _api_operations()
        if op[0] == prefix or (module.label == "core" and op[0] in {"", "core"})
    ]
    assert operations, f"{module.label} serves no API operation"
    name = re.compile(rf"^{module.label}_[a-z0-9]+(_[a-z0-9]+)*$")
    problems = []
    for _, method, path, url_name, operation_id in operations:
        where = f"{method} /{prefix}{path}"
        if not url_name or not name.match(url_name):
            problems.append(
                f"{where}: url_name {url_name!r} must be {module.label}_<model>_<action>"
            )
        if not SNAKE.match(operation_id):
            problems.append(f"{where}: operation_id {operation_id!r} must be <verb>_<noun>")
        bad = [segment for segment in path.split("/") if not SEGMENT.match(segment)]
        if bad:
            problems.append(f"{where}: kebab-case paths only, not {bad}")
    assert not problems, "\n".join(problems)


def test_api_operation_ids_are_unique():
    ids = [op[4] for op in _api_operations()]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_engine_commands_never_start_django():
    """The manifests' engine commands load (and show their help) without Django's settings."""
    names = sorted(name for module in modules.discover() for name in module.engine_commands)
    assert {"scan", "hunt", "rules", "response"} <= set(names)
    code = (
        "import sys; from click.testing import CliRunner; from hygie.cli import cli\n"
        f"for name in {names!r}:\n"
        "    r = CliRunner().invoke(cli, [name, '--help'])\n"
        "    assert r.exit_code == 0, (name, r.output)\n"
        "    print(name, 'django.conf' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == [word for name in names for word in (name, "False")]


@pytest.mark.parametrize("module", MODULES, ids=_ids)
def test_ready_registers_nothing(module: modules.Module) -> None:
    """Registries are filled at import of the conventional files (navigation, probes, search,
    jobs, alert_sections), in module order; a ``ready()`` that registers escapes that order."""
    apps_py = _folder(module) / "apps.py"
    calls = [
        node
        for node in ast.walk(ast.parse(apps_py.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"register", "register_job", "register_periodic"}
    ]
    assert not calls, f"{module.label}/apps.py registers into a registry; move it to its file"


@pytest.mark.parametrize("module", MODULES, ids=_ids)
def test_dashboard_tiles_come_from_the_module_own_file(module: modules.Module) -> None:
    """``dashboard.py`` is optional (a module with nothing to watch per establishment has
    none); when present it registers at least one tile, each id prefixed with the module's
    label, so two modules never clash and a tile's owner is obvious."""
    from hygie.core.registries import dashboard_tiles

    path = _part(_folder(module), "dashboard")
    owned = [
        key
        for key, tile in dashboard_tiles.items()
        if tile.compute.__module__.startswith(f"{module.package}.")
    ]
    if path is None:
        assert not owned, f"{module.label} registers tiles outside its dashboard.py"
        return
    assert owned, f"{module.label}/dashboard.py registers no tile"
    assert all(key.startswith(f"{module.label}.") for key in owned), owned
    assert all(
        dashboard_tiles.get(key).compute.__module__ == f"{module.package}.dashboard"
        for key in owned
    )
