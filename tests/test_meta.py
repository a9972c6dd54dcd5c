"""Project rules checked on the source tree: i18n key parity and use, where streamlit may be imported."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from dashboard.i18n import CATALOGUES, t
from models.enums import Barrier, LeadSource, NoticeDirection, Pattern

ROOT = Path(__file__).resolve().parents[1]
CODE = [p for d in ("dashboard", "models", "seed_data") for p in (ROOT / d).rglob("*.py")]


def test_catalogues_have_the_same_keys_and_no_empty_text():
    zh, en = CATALOGUES["zh_CN"], CATALOGUES["en"]
    assert set(zh) == set(en), (set(zh) ^ set(en))
    assert all(v.strip() for v in zh.values()) and all(v.strip() for v in en.values())


def test_placeholders_match_between_languages():
    fields = lambda s: set(re.findall(r"{(\w+)}", s))  # noqa: E731
    zh, en = CATALOGUES["zh_CN"], CATALOGUES["en"]
    assert {k for k in zh if fields(zh[k]) != fields(en[k])} == set()


def _literal_keys() -> set[str]:
    keys = set()
    for path in CODE:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "t" and node.args:
                arg = node.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    keys.add(arg.value)
    return keys


def test_every_literal_key_used_in_code_exists():
    used = _literal_keys()
    assert len(used) > 40
    assert used - set(CATALOGUES["zh_CN"]) == set()


def test_every_dynamic_key_family_is_complete():
    """Keys built from enums (t(f"pattern.{p.value}") …) exist for every member."""
    families = {
        "pattern": Pattern, "barrier": Barrier, "lead": LeadSource, "direction": NoticeDirection,
    }
    for prefix, enum in families.items():
        for member in enum:
            for loc in CATALOGUES:
                assert t(f"{prefix}.{member.value}", loc)
    for metric in ("union_coverage", "membership", "party_coverage", "qualified_built", "work_coverage", "overdue"):
        for loc in CATALOGUES:
            assert t(f"kpi.{metric}", loc) and t(f"kpi.{metric}.def", loc)
    for status in ("red", "amber", "green", "gap"):
        assert t(f"alerts.status.{status}", "en") and t(f"alerts.status.{status}")


def streamlit_offenders(root: Path) -> list[str]:
    """Files under dashboard/, models/, seed_data/ of ``root`` that import streamlit outside the UI layer."""
    allowed = (root / "dashboard" / "app.py", root / "dashboard" / "app_pages", root / "dashboard" / "ui")
    offenders = []
    for path in (p for d in ("dashboard", "models", "seed_data") for p in (root / d).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n == "streamlit" or n.startswith("streamlit.") for n in names):
                if not any(path == a or a in path.parents for a in allowed):
                    offenders.append(str(path.relative_to(root)))
    return sorted(set(offenders))


def test_streamlit_is_imported_only_in_the_ui_layer():
    assert streamlit_offenders(ROOT) == []


def test_the_import_rule_check_would_notice_an_offender(tmp_path):
    """The same check on a small tree with one offender (and allowed imports) finds exactly it."""
    for rel, text in {
        "dashboard/app.py": "import streamlit as st\n",
        "dashboard/ui/data.py": "from streamlit import cache_data\n",
        "dashboard/queries/bad.py": "import os\nfrom streamlit.runtime import exists\n",
        "models/fine.py": "import sqlalchemy\n",
        "seed_data/__init__.py": "",
    }.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert streamlit_offenders(tmp_path) == ["dashboard/queries/bad.py"]


def test_no_legacy_pages_folder():
    assert not (ROOT / "dashboard" / "pages").exists()


def test_every_history_kind_of_the_ledger_has_a_label():
    from dashboard.queries.ledger import HISTORY_KINDS

    for kind in HISTORY_KINDS:
        for loc in CATALOGUES:
            assert t(f"hist.{kind}", loc)


def test_every_setting_is_documented_in_the_readme():
    from models.settings import Settings

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    missing = [f for f in Settings.model_fields if f"`DANGONG_{f.upper()}`" not in readme]
    assert missing == []


# --------------------------------------------------------------------------- the view layer (issue #18)

PAGES = sorted((ROOT / "dashboard" / "app_pages").glob("*.py"))
PAGE_MAX_LINES = 150
COLOUR_LITERAL = re.compile(r"#[0-9A-Fa-f]{6}\b|#[0-9A-Fa-f]{3}\b|\brgba?\(")


def page_offences(path: Path) -> list[str]:
    """Why a page script is not a thin composition of sections (empty when it is)."""
    text = path.read_text(encoding="utf-8")
    found = []
    if len(text.splitlines()) > PAGE_MAX_LINES:
        found.append(f"{len(text.splitlines())} lines")
    if "pd.DataFrame(" in text:
        found.append("pd.DataFrame(")
    tree = ast.parse(text)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and COLOUR_LITERAL.search(node.value):
            found.append(f"colour literal {COLOUR_LITERAL.search(node.value).group(0)!r} line {node.lineno}")
    return found


def test_page_scripts_are_thin():
    assert len(PAGES) >= 7
    assert {p.name: page_offences(p) for p in PAGES if page_offences(p)} == {}


def test_the_thin_page_check_would_notice_an_offender(tmp_path):
    fat = tmp_path / "fat.py"
    fat.write_text("import pandas as pd\nx = pd.DataFrame({'a': [1]})\nstyle = 'color:#FDE2E1'\n"
                   + "pass\n" * PAGE_MAX_LINES, encoding="utf-8")
    assert page_offences(fat) == [f"{PAGE_MAX_LINES + 3} lines", "pd.DataFrame(", "colour literal '#FDE2E1' line 3"]
    thin = tmp_path / "thin.py"
    thin.write_text("from dashboard.ui.sections import context\n# see #18\nctx = context()\n", encoding="utf-8")
    assert page_offences(thin) == []


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_views_import_neither_streamlit_nor_the_ui():
    views = list((ROOT / "dashboard" / "views").rglob("*.py"))
    assert len(views) >= 2
    bad = {str(p.relative_to(ROOT)): sorted(n for n in _imports(p) if n.split(".")[0] == "streamlit"
                                            or n.startswith(("dashboard.ui", "dashboard.app_pages")))
           for p in views}
    assert {k: v for k, v in bad.items() if v} == {}


def test_no_layer_imports_the_demo_generator_or_a_later_layer():
    """Migrations must not change when the demo generator does; the UI needs no generator either;
    queries and models never import views, ui or pages."""
    offenders = {}
    for path in [*(ROOT / "models").rglob("*.py"), *(ROOT / "dashboard").rglob("*.py")]:
        rel = str(path.relative_to(ROOT))
        names = _imports(path)
        bad = {n for n in names if n == "seed_data.demo" or n == "seed_data.scale"}
        if rel.startswith(("models/", "dashboard/queries/", "dashboard/charts/", "dashboard/edits/",
                           "dashboard/ledgerfile/")):
            bad |= {n for n in names if n.startswith(("dashboard.views", "dashboard.ui", "dashboard.app_pages"))}
        if rel == "dashboard/cli.py":  # the seed command is the one place that runs the generators
            bad -= {"seed_data.demo", "seed_data.scale"}
        if bad:
            offenders[rel] = sorted(bad)
    assert offenders == {}


FRAME_FILTERS = ("query", "groupby", "value_counts", "pivot_table")


def frame_counting(path: Path) -> list[str]:
    """Places in a query module that filter or count a loaded DataFrame (``df[df.x > 0]``,
    ``df.loc[mask]``, ``df.query(…)``, ``df.groupby(…)``, ``.value_counts()``): that belongs in SQL."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Subscript):
            index = node.slice
            mask = isinstance(index, ast.Compare | ast.BoolOp) or (
                isinstance(index, ast.UnaryOp) and isinstance(index.op, ast.Invert)) or (
                isinstance(index, ast.Call) and isinstance(index.func, ast.Attribute)
                and index.func.attr in ("isin", "notna", "isna", "between"))
            if mask:
                found.append(f"line {node.lineno}: boolean mask")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in FRAME_FILTERS:
            found.append(f"line {node.lineno}: .{node.func.attr}()")
    return found


def test_query_modules_count_in_sql_not_on_loaded_frames():
    modules = sorted((ROOT / "dashboard" / "queries").glob("*.py"))
    assert len(modules) >= 8
    assert {p.name: frame_counting(p) for p in modules if frame_counting(p)} == {}


def test_the_frame_counting_check_would_notice_an_offender(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("df = load()\nlate = df[df['due_on'] < today]\nn = df.groupby('x').size()\n"
                   "ok = df[['a', 'b']]\nrow = df.iloc[0]\nq = sa.select(T.c.a).where(T.c.a > 1)\n", encoding="utf-8")
    assert frame_counting(bad) == ["line 2: boolean mask", "line 3: .groupby()"]


# --------------------------------------------------------------------------- no whole table into pandas (issue #19)

#: methods that narrow what a statement reads (rows it filters, groups or limits)
NARROWING = {"where", "filter", "filter_by", "limit", "group_by", "having", "fetch"}
READ_SQL = {"read_sql", "read_sql_query", "read_sql_table"}
SELECT_STAR = re.compile(r"\bselect\s+(distinct\s+)?\*\s+from\b", re.IGNORECASE)


def whole_table_loads(path: Path) -> list[str]:
    """Places in a query module that load a whole table: ``pd.read_sql*``, ``SELECT * FROM`` in SQL text,
    or ``select(<a table>)`` — every column of a table (a ``X = Model.__table__`` alias, ``Model.__table__``
    or a model class) — with no ``.where``/``.group_by``/``.limit`` in the same statement."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    tables = {t.id for node in ast.walk(tree) if isinstance(node, ast.Assign)
              and isinstance(node.value, ast.Attribute) and node.value.attr == "__table__"
              for t in node.targets if isinstance(t, ast.Name)}
    models = {a.asname or a.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
              and node.module == "models.tables" for a in node.names}
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}

    def whole_table(arg: ast.expr) -> bool:
        if isinstance(arg, ast.Name):
            return arg.id in tables or arg.id in models
        return isinstance(arg, ast.Attribute) and arg.attr == "__table__"

    def narrowed(call: ast.Call) -> bool:
        node = call  # up the chain select(T).where(…).order_by(…): any narrowing method on it
        while isinstance(parents.get(node), ast.Attribute) and isinstance(parents.get(parents[node]), ast.Call):
            attribute = parents[node]
            if attribute.attr in NARROWING:
                return True
            node = parents[attribute]
        return False

    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in READ_SQL:
                found.append(f"line {node.lineno}: {name}()")
            elif (name == "select" and len(node.args) == 1 and not node.keywords and whole_table(node.args[0])
                  and not narrowed(node)):
                arg = node.args[0]
                found.append(f"line {node.lineno}: select of a whole table "
                             f"{arg.id if isinstance(arg, ast.Name) else ast.unparse(arg)}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and SELECT_STAR.search(node.value):
            found.append(f"line {node.lineno}: SELECT *")
    return sorted(found, key=lambda f: int(f.split()[1].rstrip(":")))


#: whole tables a query may read, by module and table: small by nature, every row shown
WHOLE_TABLE_ALLOWED = {
    ("kiosk.py", "KL"): "the kiosk links admins made (a handful), every one listed on the admin page",
}


def test_query_modules_load_no_whole_table():
    """What the pages may not do (``test_page_scripts_are_thin``: no frames of their own) the queries may
    not do either: every query reads the rows and columns it needs, narrowed in SQL."""
    modules = sorted((ROOT / "dashboard" / "queries").glob("*.py"))
    assert len(modules) >= 8
    found = {p.name: [f for f in whole_table_loads(p) if (p.name, f.rsplit(" ", 1)[-1]) not in WHOLE_TABLE_ALLOWED
                      or "whole table" not in f] for p in modules}
    assert {name: f for name, f in found.items() if f} == {}


def test_the_whole_table_check_would_notice_an_offender(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import pandas as pd\nimport sqlalchemy as sa\nfrom models.tables import Enterprise, Township\n"
                   "E = Enterprise.__table__\n"
                   "a = pd.read_sql('SELECT * FROM enterprise', conn)\n"
                   "b = pd.DataFrame(s.execute(sa.select(E).order_by(E.c.id)).all())\n"
                   "c = s.execute(sa.select(Township)).all()\n"
                   "d = s.execute(sa.select(E).where(E.c.id == 1).order_by(E.c.id)).all()\n"
                   "e = s.execute(sa.select(E.c.id, E.c.name).limit(10)).all()\n"
                   "f = s.execute(sa.select(sa.func.count()).select_from(E)).scalar()\n", encoding="utf-8")
    assert whole_table_loads(bad) == ["line 5: read_sql()", "line 5: SELECT *", "line 6: select of a whole table E",
                                      "line 7: select of a whole table Township"]


def _cli_commands() -> list[str]:
    import typer

    from dashboard.cli import app

    def walk(cmd, prefix):
        subs = getattr(cmd, "commands", None)
        if not subs:
            return [prefix]
        return [c for name, sub in sorted(subs.items()) for c in walk(sub, f"{prefix} {name}")]

    return walk(typer.main.get_command(app), "dangong")


def test_every_cli_command_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = _cli_commands()
    assert "dangong db upgrade" in commands and "dangong users add" in commands
    assert [c for c in commands if c not in readme] == []


def _url_parameters() -> set[str]:
    """Every URL parameter a page or the UI reads: ``st.query_params.get("x")``, ``.get_all("x")``,
    ``st.query_params["x"]`` and ``"x" in st.query_params``."""
    params = set()
    for path in [ROOT / "dashboard" / "app.py", *(ROOT / "dashboard" / "app_pages").rglob("*.py"),
                 *(ROOT / "dashboard" / "ui").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            is_qp = lambda n: isinstance(n, ast.Attribute) and n.attr == "query_params"  # noqa: E731
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("get", "get_all")
                    and is_qp(node.func.value) and node.args and isinstance(node.args[0], ast.Constant)):
                params.add(node.args[0].value)
            elif isinstance(node, ast.Subscript) and is_qp(node.value) and isinstance(node.slice, ast.Constant):
                params.add(node.slice.value)
            elif (isinstance(node, ast.Compare) and isinstance(node.left, ast.Constant)
                  and any(is_qp(c) for c in node.comparators)):
                params.add(node.left.value)
    return params


def test_every_url_parameter_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    params = _url_parameters()
    assert {"town", "asof", "lang", "slide", "theme", "auto", "case"} <= params
    assert sorted(p for p in params if f"`{p}`" not in readme) == []
