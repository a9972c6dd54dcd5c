"""Line breaks in the PDFs (``exports.pdf``): never inside a date or a figure (issue 17: the brief's
subtitle broke as "(2026年11月2/日)"). Read back line by line (one text object per line)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlmodel import Session

from dashboard.queries.brief import meeting_brief
from dashboard.queries.scope import Scope
from tests.exports import test_brief
from tests.exports.pdftext import lines_of
from tests.exports.test_brief import TODAY
from tests.fonts import needs_font

pytestmark = needs_font


@pytest.fixture
def made(sqlite_engine):
    """The hand-made database of the brief's tests, on SQLite only: what is tested here is the PDF's
    line breaking of one brief (32 renderings); ``test_brief`` checks the brief's query on both databases."""
    return sqlite_engine, test_brief.build(sqlite_engine)

DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日|\d{4}-\d{2}-\d{2}")


def _unbroken(data: bytes, needles: list[str]) -> tuple[list[str], list[str]]:
    """(the lines, the needles found in the text but not whole on one line)."""
    lines = lines_of(data)
    whole = "".join(lines)
    broken = [n for n in needles if whole.count(n) != sum(line.count(n) for line in lines)]
    return lines, broken


def _subtitle_lines(lines: list[str], start: str) -> list[str]:
    """The subtitle's lines: from the one starting with ``start`` to the first section heading."""
    k = next(i for i, line in enumerate(lines) if line.startswith(start))
    end = next(i for i in range(k, len(lines)) if lines[i].startswith("一、"))
    return lines[k:end]


def test_no_date_of_the_brief_breaks_across_lines_whatever_the_subtitle_length(made, monkeypatch):
    """A district name one character longer at a time moves the subtitle's dates over the line end:
    each date stays whole on one line. Without the line breaker the same subtitles do split a date
    (the test would have caught the bug)."""
    from dashboard.exports import pdf
    from dashboard.exports.brief import BriefContext, brief_pdf

    engine, _ = made
    with Session(engine) as s:
        b = meeting_brief(s, Scope.district(), TODAY)
    needles = ["2026年11月24日", "2026年5月1日", "（2026年5月1日）", "50.0%（2/4）", "-16.7个百分点", "146天"]

    def render(k: int) -> bytes:
        district = "测试区" + "甲" * k
        return brief_pdf(b, BriefContext("zh_CN", district, "甲镇、乙乡", demo=True), {})

    wrapped = 0
    for k in range(16):
        lines, broken = _unbroken(render(k), needles)
        assert not broken, (k, broken, _subtitle_lines(lines, "测试区"))
        sub = _subtitle_lines(lines, "测试区")
        wrapped += len(sub) > 1
        assert len(DATE.findall("".join(sub))) == sum(len(DATE.findall(line)) for line in sub) == 2, sub
    assert wrapped >= 8  # the subtitle does wrap: the dates were at the line end for some k

    monkeypatch.setattr(pdf.Document, "_broken", lambda self, text, width: text)  # fpdf2's own breaking
    assert any(_unbroken(render(k), needles[:3])[1] for k in range(16))


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_paragraphs_tables_and_facts_keep_dates_and_figures_whole(locale):
    from dashboard.exports.pdf import Document

    day = dt.date(2026, 11, 24)
    date = "2026年11月24日" if locale == "zh_CN" else "2026-11-24"
    figure = "50.0%（2 / 4）" if locale == "zh_CN" else "50.0% (2 / 4)"
    change = "-16.7 个百分点" if locale == "zh_CN" else "146 days"
    needles = [re.sub(r"\s+", "", x) for x in (date, figure, change)]
    doc = Document(locale=locale, as_of=day)
    for k in range(30):  # every offset of the needles against the line end
        filler = ("截" if locale == "zh_CN" else "w ") * k
        doc.paragraph(f"{filler}{date}，{figure}，{change}。{filler}{date}", size=10)
    doc.facts([("统计截至" if locale == "zh_CN" else "As of", f"{'至' * k}{date} {figure}") for k in range(12)],
              label_width=30)
    doc.table(["a", "b"], [[f"{'项' * k}{date}", f"{'x' * k} {figure}"] for k in range(12)], widths=[1, 1])
    lines, broken = _unbroken(doc.to_bytes(), needles)
    assert not broken, broken
    assert len(lines) > 60


def test_a_run_longer_than_the_line_is_still_broken():
    """Nothing is lost or overflows when one unbreakable run is wider than the column."""
    from dashboard.exports.pdf import Document

    doc = Document(locale="en", as_of=dt.date(2026, 11, 24))
    doc.set_font("cjk", size=10)
    word = "Supercalifragilistic" * 12
    lines = doc.lines(f"a {word} b", 60)
    assert "".join(lines).replace(" ", "") == f"a{word}b"
    assert all(doc.get_string_width(line) <= 60 for line in lines) and len(lines) >= 4
    assert doc.lines("（2026年5月1日）", 200) == ["（2026年5月1日）"]
    from dashboard.exports.pdf import NO_LINE_END, NO_LINE_START

    text = "逾期 16 项，14 天内到期 1 项。上次会议：区级联席会议（第2次）（2026年5月1日）。"
    for width in range(42, 120):  # wider than its widest unbreakable run, （2026年5月1日）。
        lines = doc.lines(text, width)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        assert not any(line[:1] in NO_LINE_START for line in lines[1:]), lines
        assert not any(line[-1:] in NO_LINE_END for line in lines), lines
