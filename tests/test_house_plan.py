"""The house plan (README, Development): dependencies go one way, config -> portal -> domain
apps -> geo -> core, so no two apps import each other, and no app imports another app's views.
Checked by walking every module's imports with the standard library's ast (migrations and tests
excluded: a migration may name another app's history, tests import everything)."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = sorted(p.name for p in ROOT.iterdir() if (p / "apps.py").exists())


def _imports():
    """(importing app, imported app, imported module, file) for every import across apps."""
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom):
                    base = node.module or ""
                    if node.level:  # relative: resolve against the file's package
                        parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                        base = ".".join([*parent, base] if base else parent)
                    names = [base] + [f"{base}.{alias.name}" for alias in node.names]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top in APPS and top != app:
                        yield app, top, name, path.relative_to(ROOT)


def _cycle(graph):
    """One cycle of the app graph as a list of apps, or None."""
    state = {}

    def visit(node, trail):
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return trail[trail.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt, [*trail, nxt])
                if found:
                    return found
        state[node] = "done"
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start, [start])
            if found:
                return found
    return None


def test_the_walk_sees_imports():
    """The walk itself works: portal imports the domain apps (else the checks below are vacuous)."""
    edges = {(a, b) for a, b, *_ in _imports()}
    assert {("portal", "properties"), ("portal", "citizens"), ("properties", "geo"),
            ("geo", "core")} <= edges


def test_no_import_cycle_between_apps():
    graph = {}
    for app, imported, *_ in _imports():
        graph.setdefault(app, set()).add(imported)
    assert _cycle(graph) is None, " -> ".join(_cycle(graph))


def test_no_app_imports_another_apps_views():
    offending = [f"{path}: {name}" for app, imported, name, path in _imports()
                 if ".views" in name and imported != "config" and app != "config"]
    assert offending == []


def test_core_depends_on_no_app_and_nothing_depends_on_portal():
    edges = [(app, imported, str(path)) for app, imported, _name, path in _imports()]
    assert [e for e in edges if e[0] == "core"] == []
    assert [e for e in edges if e[1] == "portal" and e[0] != "config"] == []


def test_only_the_portal_and_the_demo_import_leisure():
    """Leisure is a domain app at the top (issue 15): it imports core, geo, citizens and map_ui;
    the portal may show it and the demo loads its season through its importer; no other app
    imports it."""
    importers = {app for app, imported, *_ in _imports() if imported == "leisure"}
    assert importers <= {"portal", "demo"}
    assert {imported for app, imported, *_ in _imports() if app == "leisure"} <= {
        "core", "geo", "citizens", "map_ui"}
