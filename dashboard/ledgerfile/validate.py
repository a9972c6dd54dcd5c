"""Rows of a ledger file to checked records, with every problem found — nothing is written here.

Two steps, because the second needs the database: :func:`parse` checks every cell and every row on
its own (required fields, values, date order, counts, duplicates inside the file) and lists which
townships, enterprises, federations and units the rows refer to; :func:`check_references` then
checks those references against the file and what the database already holds (a :class:`Known`,
filled by the caller with a few indexed queries). The write side
(``dashboard.edits.ledger_import``) refuses the whole file while any problem remains.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter

from dashboard.ledgerfile import cells, spec
from dashboard.ledgerfile.problems import Problem, shown
from models.enums import LiaisonKind, PartyOrgLevel, UnionKind

#: at most this many problems are kept (the count of all is kept too)
MAX_PROBLEMS = 10_000


class Record:
    """One checked row: its Excel row number and its values by column key. Held compactly (a
    tuple and the sheet's shared key order): a 100,000-enterprise file keeps some 400,000 of them
    until its transaction ends."""

    __slots__ = ("row", "_keys", "_vals")

    def __init__(self, row: int, values: dict[str, Any], keys: dict[str, int] | None = None):
        self.row = row
        self._keys = keys if keys is not None else {k: i for i, k in enumerate(values)}
        self._vals = tuple(values.get(k) for k in self._keys)

    def __getitem__(self, key: str) -> Any:
        i = self._keys.get(key)
        return None if i is None else self._vals[i]

    @property
    def values(self) -> dict[str, Any]:
        return dict(zip(self._keys, self._vals, strict=True))

    def __repr__(self) -> str:
        return f"Record({self.row}, {self.values})"


@dataclass
class Parsed:
    """What a file holds, checked cell by cell; ``sheets`` maps spec.Sheet.key to records in file order."""

    sheets: dict[str, list[Record]] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)  # spec key -> the title as in the file
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    encodings: dict[str, str] = field(default_factory=dict)
    present: dict[str, set[str]] = field(default_factory=dict)  # spec key -> the column keys the sheet has

    def add(self, problem: Problem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)

    def records(self, key: str) -> list[Record]:
        return self.sheets.get(key, [])

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    @property
    def row_count(self) -> int:
        return sum(len(v) for v in self.sheets.values())

    def referenced_usccs(self) -> set[str]:
        out = {r["uscc"] for key in ("liaisons", "membership") for r in self.records(key)}
        for key in ("unions", "party_orgs"):
            for r in self.records(key):
                out |= {u for u, _s, _e in r["enterprises"] or ()}
        return out

    def file_date(self, today: dt.date) -> dt.date:
        """The date the file speaks for: its latest census date (today when it has none)."""
        days = [r["census_on"] for r in self.records("enterprises") if r["census_on"]]
        return min(max(days), today) if days else today


@dataclass
class _Draft:
    """A row while its cells are checked (then kept as a :class:`Record`)."""

    row: int
    values: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.values.get(key)


def _problem(sheet_title: str, row: int | None, column: str | None, value: object, zh: str, en: str) -> Problem:
    return Problem(sheet_title, row, column, shown(cells.clean_text(value) if value is not None else ""), zh, en)


def _parse_cell(col: spec.Column, raw: object, today: dt.date) -> Any:
    if isinstance(raw, dt.time | dt.timedelta) or (isinstance(raw, dt.datetime) and col.kind != spec.DATE):
        raise cells.CellError("应为文字、数字或日期，而不是时间", "a time of day does not belong here")
    if isinstance(raw, bool) and col.kind != spec.BOOL:
        raise cells.CellError("应填写内容，而不是 TRUE/FALSE", "TRUE/FALSE does not belong here")
    if col.kind in (spec.TEXT,):
        return cells.parse_text(raw, col.max_len) or None
    if col.kind == spec.CODE:
        return cells.parse_code(raw)
    if col.kind == spec.USCC:
        return cells.parse_uscc(raw)
    if col.kind == spec.NAME_OR_CODE:
        return cells.parse_text(raw, 40)
    if col.kind == spec.USCC_LIST:
        return cells.parse_uscc_list(raw, today=today)
    if col.kind == spec.DATE:
        return cells.parse_date(raw, today=today)
    if col.kind == spec.COUNT:
        return cells.parse_count(raw)
    if col.kind == spec.BOOL:
        return cells.parse_bool(raw)
    if col.kind == spec.ENUM:
        return cells.parse_enum(raw, col.enum)
    raise AssertionError(col.kind)


def _key(sheet: spec.Sheet, rec: Record | _Draft) -> tuple | None:
    v = rec.values
    if sheet is spec.TOWNSHIPS:
        return (v.get("code"),)
    if sheet is spec.ENTERPRISES:
        return (v.get("uscc"),)
    if sheet is spec.UNIONS:
        return union_key(v)
    if sheet is spec.PARTY_ORGS:
        return party_key(v)
    if sheet is spec.LIAISONS:
        return (v.get("uscc"), v.get("name"), v.get("appointed_on"))
    if sheet is spec.MEMBERSHIP:
        return (v.get("uscc"), v.get("changed_on"))
    return None


def union_key(v: Mapping[str, Any]) -> tuple:
    """(kind, enterprises, founded) — (kind, township, name, founded) for a union covering none."""
    members = frozenset(u for u, _s, _e in v.get("enterprises") or ())
    kind = v.get("kind")
    if members:
        return (str(kind), members, v.get("founded_on"))
    return (str(kind), v.get("township"), v.get("name"), v.get("founded_on"))


def party_key(v: Mapping[str, Any]) -> tuple:
    """(own or joint, enterprises, founded)."""
    joint = v.get("level") == PartyOrgLevel.JOINT_BRANCH
    return ("joint" if joint else "own", frozenset(u for u, _s, _e in v.get("enterprises") or ()), v.get("founded_on"))


def _row_rules(sheet: spec.Sheet, rec: Record | _Draft) -> list[tuple[str | None, object, str, str]]:
    """Rules across the cells of one row: (column header, value, zh, en) for each broken one."""
    v = rec.values
    out = []

    def order(start_key: str, end_key: str, zh: str, en: str) -> None:
        start, end = v.get(start_key), v.get(end_key)
        if start and end and end < start:
            out.append((sheet.column(end_key).header, end, zh, en))

    if sheet is spec.ENTERPRISES:
        order("registered_on", "closed_on", "注销日期早于成立日期", "closed before it was registered")
        reg, census = v.get("registered_on"), v.get("census_on")
        if reg and census and census < reg:
            out.append(("人数统计日期", census, "人数统计日期早于成立日期", "census date before registration"))
        emp = v.get("employees")
        for key, zh, en in (("party_members", "正式党员数多于从业人员数", "more Party members than employees"),
                            ("union_members", "工会会员数多于从业人员数", "more union members than employees")):
            if emp is not None and v.get(key) is not None and v[key] > emp:
                out.append((sheet.column(key).header, v[key], zh, en))
    elif sheet is spec.UNIONS:
        order("founded_on", "dissolved_on", "撤销日期早于成立日期", "dissolved before it was founded")
        members = v.get("enterprises") or []
        kind = v.get("kind")
        col = sheet.column("enterprises").header
        if kind == UnionKind.ENTERPRISE and len(members) != 1:
            out.append((col, ";".join(m[0] for m in members), "企业工会应覆盖且只覆盖一家企业",
                        "an enterprise union covers exactly one enterprise"))
        if kind == UnionKind.JOINT and not members:
            out.append((col, "", "联合工会应填写覆盖的企业", "a joint union needs the enterprises it covers"))
        if kind == UnionKind.FEDERATION and members:
            out.append((col, ";".join(m[0] for m in members), "工会联合会不直接覆盖企业（在各工会的“所属工会联合会”中填写）",
                        "a federation covers no enterprise directly (name it in its unions' federation column)"))
        if kind == UnionKind.FEDERATION and v.get("federation"):
            out.append(("所属工会联合会", v["federation"], "工会联合会不能再属于工会联合会",
                        "a federation cannot belong to a federation"))
        out += _coverage_rules(col, v)
    elif sheet is spec.PARTY_ORGS:
        order("founded_on", "dissolved_on", "撤销日期早于成立日期", "dissolved before it was founded")
        members = v.get("enterprises") or []
        col = sheet.column("enterprises").header
        if v.get("level") is not None and v.get("level") != PartyOrgLevel.JOINT_BRANCH and len(members) != 1:
            out.append((col, ";".join(m[0] for m in members), "单独建立的党组织应覆盖且只覆盖一家企业（多家请选“联合党支部”）",
                        "an own Party organisation covers exactly one enterprise (several: a joint branch)"))
        out += _coverage_rules(col, v)
    elif sheet is spec.LIAISONS:
        order("appointed_on", "ended_on", "离任日期早于任职日期", "ended before appointed")
    elif sheet is spec.MEMBERSHIP:
        if not v.get("joined") and not v.get("left"):
            out.append(("入会人数", "", "入会人数和退会人数不能都为空或 0", "joined and left cannot both be empty or 0"))
    return out


def _coverage_rules(col: str, v: Mapping[str, Any]) -> list[tuple]:
    out = []
    seen = set()
    founded, dissolved = v.get("founded_on"), v.get("dissolved_on")
    for code, start, end in v.get("enterprises") or []:
        if code in seen:
            out.append((col, code, f"企业 {code} 重复出现", f"enterprise {code} listed twice"))
        seen.add(code)
        if founded and start and start < founded:
            out.append((col, code, f"{code} 的加入日期早于组织成立日期", f"{code} joined before the organisation was founded"))
        if dissolved and end and end > dissolved:
            out.append((col, code, f"{code} 的退出日期晚于组织撤销日期", f"{code} left after the organisation was dissolved"))
    return out


def parse(raw_sheets: Iterable[Any], *, today: dt.date | None = None,
          progress=None) -> Parsed:
    """Check every cell and row of the reader's sheets (``reader.RawSheet``: title, header, rows,
    problems, encoding). Rows are consumed once, as they stream."""
    today = today or dt.date.today()
    out = Parsed()
    report = progress or (lambda *_: None)
    read = 0
    for raw in raw_sheets:
        title = raw.title
        sheet = spec.sheet_for(title)
        if title == spec.EXPLANATION_TITLE or (sheet is None and title.strip() in ("说明", "填表说明", "README")):
            for _ in raw.rows:  # the explanation sheet is not data
                pass
            continue
        if raw.problems and not raw.header:  # a hidden sheet: its own reason, its rows unread
            for p in raw.problems:
                out.add(p)
            continue
        if sheet is None:
            names = "、".join(s.title for s in spec.SHEETS)
            out.add(_problem(title, None, None, title, f"不认识的工作表“{shown(title)}”（应为：{names}、说明）",
                             f"unknown sheet {shown(title)!r} (expected: {', '.join(s.title_en for s in spec.SHEETS)})"))
            for _ in raw.rows:
                pass
            continue
        if sheet.key in out.titles:
            out.add(_problem(title, None, None, title, f"与工作表“{out.titles[sheet.key]}”重复（同一种表只能有一个）",
                             f"a second {sheet.title_en} sheet"))
            for _ in raw.rows:
                pass
            continue
        out.titles[sheet.key] = title
        if getattr(raw, "encoding", None):
            out.encodings[title] = raw.encoding
        records = out.sheets.setdefault(sheet.key, [])
        by_header = spec.header_map(sheet)
        columns: list[spec.Column | None] = []
        seen_cols: dict[str, int] = {}
        header_ok = True
        for i, head in enumerate(raw.header):
            if not str(head or "").strip():
                columns.append(None)
                continue
            col = by_header.get(spec.normal_header(head))
            if col is None:
                out.add(_problem(title, 1, str(head), head, f"不认识的列“{shown(head)}”（本表的列：{'、'.join(sheet.headers)}）",
                                 f"unknown column {shown(head)!r}"))
                header_ok = False
            elif col.key in seen_cols:
                out.add(_problem(title, 1, col.header, head, f"列“{col.header}”出现了两次", f"column {col.header_en} twice"))
                header_ok = False
            else:
                seen_cols[col.key] = i
            columns.append(col)
        out.present[sheet.key] = set(seen_cols)
        missing = [c for c in sheet.columns if c.required and c.key not in seen_cols]
        for col in missing:
            out.add(_problem(title, 1, col.header, "", f"缺少必填列“{col.header}”", f"required column {col.header_en} missing"))
            header_ok = False
        first_seen: dict[tuple, int] = {}
        keys = {c.key: i for i, c in enumerate(sheet.columns)}  # every record of the sheet shares it
        letters = [get_column_letter(i + 1) for i in range(len(raw.header))]
        seen_problems = len(raw.problems)
        for row_no, values in raw.rows:
            read += 1
            if read % 5000 == 0:
                report("check", read, 0)
            if not header_ok:
                continue  # the header is wrong: cells cannot be read (the header problems are listed)
            reported = set()  # cells the reader already found at fault (a formula, an error value)
            if len(raw.problems) > seen_problems:
                reported = {p.column for p in raw.problems[seen_problems:] if p.row == row_no}
                seen_problems = len(raw.problems)
            fields: dict[str, Any] = {}
            rec = _Draft(row_no, fields)
            for i, (col, value) in enumerate(zip(columns, values, strict=False)):
                if col is None:
                    continue
                if reported and (letters[i] in reported or raw.header[i] in reported):
                    rec.values[col.key] = [] if col.kind == spec.USCC_LIST else None
                    continue
                if value is None or (isinstance(value, str) and cells.is_blank(value)):
                    if col.required:
                        out.add(_problem(title, row_no, col.header, "", "必填，不能为空", "required, empty"))
                    rec.values[col.key] = [] if col.kind == spec.USCC_LIST else (col.blank_yes if col.kind == spec.BOOL else None)
                    continue
                try:
                    rec.values[col.key] = _parse_cell(col, value, today)
                except cells.CellError as e:
                    out.add(_problem(title, row_no, col.header, value, e.zh, e.en))
                    rec.values[col.key] = None
            for col in sheet.columns:  # a short row: the cells past its end are empty
                if col.key not in rec.values:
                    if col.required:
                        out.add(_problem(title, row_no, col.header, "", "必填，不能为空", "required, empty"))
                    rec.values[col.key] = [] if col.kind == spec.USCC_LIST else (col.blank_yes if col.kind == spec.BOOL else None)
            faulty = {c.header for i, c in enumerate(columns)
                      if c and reported and (letters[i] in reported or raw.header[i] in reported)}
            for header, value, zh, en in _row_rules(sheet, rec):
                if header not in faulty:  # a cell the reader refused says so once, not twice
                    out.add(_problem(title, row_no, header, value, zh, en))
            key = _key(sheet, rec)
            if key is not None and None not in key:
                if key in first_seen:
                    out.add(_problem(title, row_no, sheet.columns[0].header, values[0] if values else "",
                                     f"与第 {first_seen[key]} 行重复", f"duplicate of row {first_seen[key]}"))
                else:
                    first_seen[key] = row_no
            records.append(Record(row_no, fields, keys))
        for p in raw.problems:  # faults the reader found (merged cells, formulas, hidden sheet…)
            out.add(p)
    if not out.sheets and out.problem_count == 0:
        out.add(Problem("", None, None, "", "文件中没有可导入的工作表（" + "、".join(s.title for s in spec.SHEETS) + "）",
                        "no ledger sheet in the file"))
    return out


# --------------------------------------------------------------------------- references


@dataclass
class Known:
    """What the database holds that the file may refer to (filled by the caller)."""

    townships: dict[str, tuple[int, str]] = field(default_factory=dict)  # code or name -> (id, code)
    enterprises: dict[str, tuple[int, dt.date]] = field(default_factory=dict)  # uscc -> (id, registered)
    federations: dict[str, list[int]] = field(default_factory=dict)  # name -> ids
    units: dict[str, int] = field(default_factory=dict)  # unit name -> id
    unit_townships: dict[int, int | None] = field(default_factory=dict)  # unit id -> its township


def township_code(value: str | None, parsed: Parsed, known: Known) -> str | None:
    """The code of a township named or coded in a cell: the file's 乡镇街道 sheet first, then the
    database; None when neither has it."""
    if not value:
        return None
    text = cells.clean_text(value)
    for rec in parsed.records("townships"):
        if text in (rec["code"], rec["name"]) or text.upper() == rec["code"]:
            return rec["code"]
    hit = known.townships.get(text) or known.townships.get(text.upper())
    return hit[1] if hit else None


COMMITTEE_SUFFIXES = ("党工委", "党委")


def committee_of(unit: str, parsed: Parsed, known: Known) -> str | None:
    """The code of the township whose Party (working) committee ``unit`` names ("越北镇党委"), when
    the database has no unit of that name yet (the import creates it)."""
    for suffix in COMMITTEE_SUFFIXES:
        if unit.endswith(suffix) and len(unit) > len(suffix):
            return township_code(unit[: -len(suffix)], parsed, known)
    return None


def check_references(parsed: Parsed, known: Known) -> None:
    """Add a problem for every reference to a township, enterprise, federation or unit that is
    neither in the file nor in the database, and for dates that contradict an enterprise's."""
    names: dict[str, int] = {}
    for rec in parsed.records("townships"):
        if rec["name"] in names:
            out_title = parsed.titles["townships"]
            parsed.add(_problem(out_title, rec.row, "名称", rec["name"], f"名称与第 {names[rec['name']]} 行重复",
                                f"same name as row {names[rec['name']]}"))
        elif rec["name"]:
            names[rec["name"]] = rec.row
        hit = known.townships.get(rec["name"] or "")
        if hit and rec["code"] and hit[1] != rec["code"]:
            parsed.add(_problem(parsed.titles["townships"], rec.row, "名称", rec["name"],
                                f"数据库中已有同名乡镇街道，代码为 {hit[1]}", f"the database has this name with code {hit[1]}"))

    registered: dict[str, dt.date | None] = {u: known.enterprises[u][1] for u in known.enterprises}
    for rec in parsed.records("enterprises"):
        if rec["uscc"]:
            registered[rec["uscc"]] = rec["registered_on"]
        if rec["township"] and township_code(rec["township"], parsed, known) is None:
            parsed.add(_problem(parsed.titles["enterprises"], rec.row, "乡镇街道", rec["township"],
                                "乡镇街道不存在（既不在“乡镇街道”表中，也不在数据库中）", "unknown township"))

    federations = {r["name"] for r in parsed.records("unions") if r["kind"] == UnionKind.FEDERATION}
    for key in ("unions", "party_orgs"):
        for rec in parsed.records(key):
            title = parsed.titles[key]
            if rec["township"] and township_code(rec["township"], parsed, known) is None:
                parsed.add(_problem(title, rec.row, "乡镇街道", rec["township"], "乡镇街道不存在", "unknown township"))
            for code, start, _end in rec["enterprises"] or ():
                if code not in registered:
                    parsed.add(_problem(title, rec.row, "覆盖企业", code, f"企业 {code} 不在“企业”表中，数据库中也没有",
                                        f"enterprise {code} is neither in the file nor in the database"))
                    continue
                reg = registered[code]
                begin = start or rec["founded_on"]
                if reg and begin and begin < reg:
                    parsed.add(_problem(title, rec.row, "覆盖企业", code, f"覆盖 {code} 的日期早于该企业成立日期（{reg}）",
                                        f"covers {code} before it was registered ({reg})"))
            if key == "unions" and rec["federation"]:
                name = rec["federation"]
                if name not in federations and len(known.federations.get(name, [])) != 1:
                    zh = ("数据库中有多个同名工会联合会" if len(known.federations.get(name, [])) > 1
                          else "工会联合会不存在（本文件和数据库中都没有）")
                    parsed.add(_problem(title, rec.row, "所属工会联合会", name, zh, "unknown or ambiguous federation"))
    for key in ("liaisons", "membership"):
        for rec in parsed.records(key):
            title = parsed.titles[key]
            code = rec["uscc"]
            if code and code not in registered:
                parsed.add(_problem(title, rec.row, "统一社会信用代码", code, "企业不在“企业”表中，数据库中也没有",
                                    "enterprise neither in the file nor in the database"))
                continue
            day = rec["appointed_on"] if key == "liaisons" else rec["changed_on"]
            reg = registered.get(code)
            if reg and day and day < reg:
                col = "任职日期" if key == "liaisons" else "日期"
                parsed.add(_problem(title, rec.row, col, day, f"早于企业成立日期（{reg}）", f"before the enterprise was registered ({reg})"))
            if (key == "liaisons" and rec["unit"] and rec["kind"] == LiaisonKind.DISPATCHED
                    and rec["unit"] not in known.units and committee_of(rec["unit"], parsed, known) is None):
                parsed.add(_problem(title, rec.row, "派出单位", rec["unit"], "派出单位不存在（留空则为企业所在乡镇的党（工）委）",
                                    "unknown unit (leave blank for the township's Party committee)"))
