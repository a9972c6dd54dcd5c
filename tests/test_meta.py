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
