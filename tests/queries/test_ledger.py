"""The enterprise ledger (企业台账): paging, sorting, search and pattern filters done in SQL, the
pattern column against the reference (``coverage.enterprise_flags``), scope, and one enterprise's
detail with its history. On the demo, SQLite and PostgreSQL (``any_demo_engine``; a private copy where a
test writes)."""

from __future__ import annotations

import datetime as dt
import random

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlmodel import Session

from dashboard.queries import coverage, ledger
from dashboard.queries.ledger import LedgerQuery, LedgerTooLarge, enterprise_detail, ledger_page, ledger_rows
from dashboard.queries.scope import Scope
from models.enums import Base, Pattern
from seed_data import facts

TODAY = dt.date(2026, 11, 24)
PATTERNS = [p.value for p in Pattern]


# --------------------------------------------------------------------------- helpers


def reference(s: Session, scope: Scope, day: dt.date) -> pd.DataFrame:
    """Operating enterprises in scope with flags and pattern from the exact SQL (the reference),
    plus the fields the ledger sorts on; one row per enterprise, loaded whole (a test may)."""
    ref = coverage.enterprise_patterns(s, scope, day, limit=None)
    extra = pd.DataFrame(s.execute(sa.text(
        "SELECT e.id AS enterprise_id, e.registered_on, t.sort_order, t.code, t.name AS township "
        "FROM enterprise e JOIN township t ON t.id = e.township_id")).mappings().all())
    extra["registered_on"] = [d if isinstance(d, dt.date) else dt.date.fromisoformat(d) for d in extra["registered_on"]]
    return ref.merge(extra, on="enterprise_id", how="left")


def sort_key(sort: str):
    order = {p: k for k, p in enumerate(PATTERNS)}
    return {
        "name": lambda r: (r["name"], r["enterprise_id"]),
        "uscc": lambda r: (r["uscc"], r["enterprise_id"]),
        "township": lambda r: (r["sort_order"], r["code"], r["enterprise_id"]),
        "employees": lambda r: (r["employees"], r["enterprise_id"]),
        "party_members": lambda r: (r["party_members"], r["enterprise_id"]),
        "pattern": lambda r: (order[r["pattern"]], r["enterprise_id"]),
        "registered_on": lambda r: (r["registered_on"], r["enterprise_id"]),
    }[sort]


def expected_ids(ref: pd.DataFrame, sort: str, descending: bool) -> list[int]:
    rows = ref.to_dict("records")
    return [int(r["enterprise_id"]) for r in sorted(rows, key=sort_key(sort), reverse=descending)]


def all_pages(s: Session, scope: Scope, day: dt.date, **query) -> tuple[pd.DataFrame, int, int]:
    """Every page concatenated, the total and the number of pages (each page checked on its own)."""
    first = ledger_page(s, scope, day, LedgerQuery(**query))
    frames, n = [first.rows], 1
    for page in range(2, first.pages + 1):
        got = ledger_page(s, scope, day, LedgerQuery(**query, page=page))
        assert got.page == page and got.total == first.total and got.pages == first.pages
        assert len(got.rows) == (first.query.page_size if page < first.pages else first.total - (page - 1) * first.query.page_size)
        frames.append(got.rows)
        n += 1
    return pd.concat(frames, ignore_index=True), first.total, n


def yuebei_id(s: Session) -> int:
    return s.execute(sa.text("SELECT id FROM township WHERE code = :c"), {"c": facts.YUEBEI_CODE}).scalar_one()


def enterprise_id(s: Session, name: str) -> int:
    return s.execute(sa.text("SELECT id FROM enterprise WHERE name = :n"), {"n": name}).scalar_one()


def text_collation_is_codepoint_order(s: Session) -> bool:
    if s.get_bind().dialect.name != "postgresql":
        return True
    collate = s.execute(sa.text("SELECT datcollate FROM pg_database WHERE datname = current_database()")).scalar_one()
    return collate in ("C", "POSIX", "C.UTF-8", "C.utf8", "ucs_basic")


# --------------------------------------------------------------------------- paging and sorting


def test_every_sort_pages_through_the_reference_rows_in_python_order(any_demo_engine):
    with Session(any_demo_engine) as s:
        # Python sorts text by code point: the test database must too (CI creates it with C.UTF-8)
        assert text_collation_is_codepoint_order(s), "create the test database with LC_COLLATE C.UTF-8"
        for day in (TODAY, facts.SNAPSHOT):
            ref = reference(s, Scope.district(), day)
            assert len(ref) > 500
            for sort in ledger.SORT_COLUMNS:
                for descending in (False, True):
                    rows, total, pages = all_pages(s, Scope.district(), day, sort=sort, descending=descending,
                                                   page_size=50)
                    ids = rows["enterprise_id"].tolist()
                    assert total == len(ref) and len(ids) == total, (sort, descending)
                    assert pages == -(-total // 50)
                    assert len(set(ids)) == len(ids), (sort, descending)  # no row on two pages
                    assert ids == expected_ids(ref, sort, descending), (day, sort, descending)
        # a bigger page gives the same order
        big, _, _ = all_pages(s, Scope.district(), TODAY, sort="employees", descending=True, page_size=500)
        assert big["enterprise_id"].tolist() == expected_ids(reference(s, Scope.district(), TODAY), "employees", True)


def test_page_columns_and_pattern_agree_with_the_reference(any_demo_engine):
    with Session(any_demo_engine) as s:
        for day in (facts.SNAPSHOT, TODAY):
            ref = reference(s, Scope.district(), day).set_index("enterprise_id")
            rows, total, _ = all_pages(s, Scope.district(), day, page_size=200)
            assert list(rows.columns) == ledger.LEDGER_COLUMNS
            rows = rows.set_index("enterprise_id")
            assert total == len(ref) and set(rows.index) == set(ref.index)
            ref = ref.loc[rows.index]
            assert rows["pattern"].tolist() == ref["pattern"].tolist()
            assert rows["union"].notna().tolist() == ref["has_union"].astype(bool).tolist()
            assert rows["party_org"].notna().tolist() == ref["has_party"].astype(bool).tolist()
            assert rows["liaison"].notna().tolist() == ref["has_liaison"].astype(bool).tolist()
            assert rows["liaison_kind"].dropna().isin(["own", "dispatched"]).all()
            assert (rows["liaison_kind"].notna() == rows["liaison"].notna()).all()
            assert rows[["name", "uscc", "employees", "party_members", "township_id"]].equals(
                ref[["name", "uscc", "employees", "party_members", "township_id"]])
            assert rows["township"].tolist() == ref["township"].tolist()
            assert rows["employees"].dtype == "int64" and rows["party_members"].dtype == "int64"
            # only enterprises operating on the date
            assert all(r <= day for r in rows["registered_on"])
            assert all(c is None or pd.isna(c) or c > day for c in rows["closed_on"])
            # and pattern_of (enterprise_flags for one enterprise) agrees on a sample
            for eid in random.Random(day.toordinal()).sample(sorted(rows.index), 30):
                assert coverage.pattern_of(s, int(eid), day).value == rows.at[eid, "pattern"]
        # a liaison officer of its own: the kind is "own" only where the enterprise has members
        own = rows[rows["liaison_kind"] == "own"]
        assert len(own) > 0 and (own["party_members"] > 0).all()


def test_names_are_looked_up_for_the_page_rows_only_and_paging_is_in_sql(demo_engine):
    statements: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    with Session(demo_engine) as s:
        s.connection()  # open the connection before listening
        sa.event.listen(demo_engine, "before_cursor_execute", capture)
        try:
            page = ledger_page(s, Scope.district(), TODAY, LedgerQuery(page=3, page_size=10))
        finally:
            sa.event.remove(demo_engine, "before_cursor_execute", capture)
    assert len(page.rows) == 10 and page.total > 600
    paged = [(q, p) for q, p in statements if "LIMIT" in q and "OFFSET" in q]
    assert paged and all(10 in p and 20 in p for _, p in paged)  # LIMIT 10 OFFSET 20 as parameters
    lookups = [(q, p) for q, p in statements
               if ("FROM union_coverage" in q or "FROM liaison_officer" in q) and " IN (" in q]
    assert len(lookups) >= 2
    page_ids = set(page.rows["enterprise_id"])
    for _, params in lookups:
        ids = {v for v in params if isinstance(v, int)}
        assert page_ids <= ids and len(ids - page_ids) <= 2, params  # the page's ids, not the table


def test_past_the_last_page_serves_the_last_page(demo_engine):
    with Session(demo_engine) as s:
        last = ledger_page(s, Scope.district(), TODAY, LedgerQuery(page=10_000, page_size=100))
        assert last.page == last.pages == -(-last.total // 100)
        assert len(last.rows) == last.total - (last.pages - 1) * 100 > 0
        empty = ledger_page(s, Scope.district(), TODAY, LedgerQuery(search="不存在的企业名称"))
        assert empty.total == 0 and empty.pages == 1 and empty.rows.empty
        assert list(empty.rows.columns) == ledger.LEDGER_COLUMNS


# --------------------------------------------------------------------------- search and pattern filters


def test_search_by_name_substring_uscc_prefix_and_literal_wildcards(any_own_demo_engine):
    with Session(any_own_demo_engine) as s:
        ref = reference(s, Scope.district(), TODAY)
        some = ref.sort_values("enterprise_id").iloc[17]
        # a name substring (two characters from the middle of a real name)
        part = some["name"][3:5]
        want = sorted(int(i) for i, n in zip(ref["enterprise_id"], ref["name"], strict=True) if part in n)
        rows, total, _ = all_pages(s, Scope.district(), TODAY, search=part, page_size=10)
        assert 0 < total < len(ref) and sorted(rows["enterprise_id"]) == want
        assert rows["name"].tolist() == sorted(rows["name"].tolist())  # still sorted by name
        # a USCC prefix, in lower case too; surrounding blanks are ignored
        prefix = some["uscc"][:15]
        want = sorted(int(i) for i, u in zip(ref["enterprise_id"], ref["uscc"], strict=True) if u.startswith(prefix))
        for text in (prefix, f"  {prefix.lower()} "):
            rows, total, _ = all_pages(s, Scope.district(), TODAY, search=text, page_size=10)
            assert total == len(want) >= 1 and sorted(rows["enterprise_id"]) == want
        exact = ledger_page(s, Scope.district(), TODAY, LedgerQuery(search=some["uscc"].lower()))
        assert exact.rows["enterprise_id"].tolist() == [int(some["enterprise_id"])]
        # % and _ match themselves, not "anything"
        target = int(ref.sort_values("enterprise_id").iloc[3]["enterprise_id"])
        s.execute(sa.text("UPDATE enterprise SET name = :n WHERE id = :i"),
                  {"n": "吉林市Abc百分之100%_测试有限公司", "i": target})
        s.commit()
        for text in ("%", "_", "100%_", "%_测", "aBC"):
            got = ledger_page(s, Scope.district(), TODAY, LedgerQuery(search=text))
            assert got.total == 1 and got.rows["enterprise_id"].tolist() == [target], text
        assert ledger_page(s, Scope.district(), TODAY, LedgerQuery(search="100%x")).total == 0
        assert ledger_page(s, Scope.district(), TODAY, LedgerQuery(search="'; DROP TABLE enterprise; --")).total == 0
        assert ledger_page(s, Scope.district(), TODAY, LedgerQuery()).total == len(ref)  # table intact


def test_search_of_every_length_matches_names_or_uscc_prefixes(any_demo_engine):
    """One, two (no trigram on PostgreSQL: the name unindexed), three and more characters, and USCC
    prefixes most enterprises share (PostgreSQL's plain OR of name and USCC since 0024): the same
    enterprises as the reference, on both databases."""
    with Session(any_demo_engine) as s:
        ref = reference(s, Scope.district(), TODAY)
        some = ref.sort_values("enterprise_id").iloc[17]
        texts = [some["uscc"][:1], some["uscc"][:2], some["uscc"][:4].lower(), some["uscc"][:8],
                 some["name"][3:4], some["name"][3:5], some["name"][2:5], some["name"][:6]]
        for text in texts:
            want = sorted(int(i) for i, n, u in zip(ref["enterprise_id"], ref["name"], ref["uscc"], strict=True)
                          if text.lower() in n.lower() or u.startswith(text.upper()))
            rows, total, _ = all_pages(s, Scope.district(), TODAY, search=text, page_size=500)
            assert total == len(want) >= 1 and sorted(rows["enterprise_id"]) == want, text
        assert len(sorted(i for i, u in zip(ref["enterprise_id"], ref["uscc"], strict=True)
                          if u.startswith(texts[1]))) > len(ref) // 2  # a prefix most share: the broad case


def test_pattern_filters_match_the_reference_and_combine_with_search_and_sort(any_demo_engine):
    with Session(any_demo_engine) as s:
        for day in (facts.SNAPSHOT, TODAY):
            ref = reference(s, Scope.district(), day)
            for pattern in PATTERNS:
                want = ref[ref["pattern"] == pattern]
                rows, total, _ = all_pages(s, Scope.district(), day, patterns=(pattern,), sort="party_members",
                                           descending=True, page_size=20)
                assert total == len(want), (day, pattern)
                assert rows["enterprise_id"].tolist() == expected_ids(want, "party_members", True)
                assert (rows["pattern"] == pattern).all()
            gaps = ("no_union", "should_build", "union_only")
            want = ref[ref["pattern"].isin(gaps)]
            rows, total, _ = all_pages(s, Scope.district(), day, patterns=gaps, sort="pattern", page_size=25)
            assert total == len(want) > 0 and rows["enterprise_id"].tolist() == expected_ids(want, "pattern", False)
        # with a search
        ref = reference(s, Scope.district(), TODAY)
        want = ref[ref["name"].str.contains("有限公司", regex=False) & (ref["pattern"] == "union_and_liaison")]
        rows, total, _ = all_pages(s, Scope.district(), TODAY, search="有限公司", patterns=("union_and_liaison",),
                                   sort="registered_on", page_size=100)
        assert total == len(want) > 0 and rows["enterprise_id"].tolist() == expected_ids(want, "registered_on", False)


def test_stale_summaries_use_the_exact_path_with_the_same_rows(any_own_demo_engine, monkeypatch):
    queries = [dict(), dict(patterns=("should_build", "no_union")), dict(sort="pattern", descending=True),
               dict(sort="township"), dict(search="机械", sort="employees", descending=True),
               dict(search="建材", sort="pattern")]
    with Session(any_own_demo_engine) as s:
        fresh = {k: all_pages(s, Scope.district(), TODAY, page_size=30, **q)[0] for k, q in enumerate(queries)}
        # make any use of enterprise_state visible: every period now says "union_only"
        s.execute(sa.text("UPDATE enterprise_state SET pattern = 'union_only'"))
        s.commit()
        assert ledger_page(s, Scope.district(), TODAY, LedgerQuery(patterns=("no_union",))).rows.empty
        monkeypatch.setattr(ledger, "summaries_fresh", lambda session: False)
        ref = reference(s, Scope.district(), TODAY).set_index("enterprise_id")
        for k, q in enumerate(queries):
            exact, total, _ = all_pages(s, Scope.district(), TODAY, page_size=30, **q)
            assert exact.equals(fresh[k]), q
            assert exact["pattern"].tolist() == ref.loc[exact["enterprise_id"], "pattern"].tolist()
        assert set(exact["pattern"]) - {"union_only"}  # the exact path did not read enterprise_state
        detail = enterprise_detail(s, Scope.district(), int(exact["enterprise_id"].iloc[0]), TODAY)
        assert detail.pattern.value == exact["pattern"].iloc[0]


# --------------------------------------------------------------------------- scope


def test_scope_limits_the_ledger_and_the_detail(any_demo_engine):
    with Session(any_demo_engine) as s:
        yb = yuebei_id(s)
        scope = Scope.townships([yb])
        for day in (facts.SNAPSHOT, TODAY):
            district = ledger_rows(s, Scope.district(), day, LedgerQuery(), limit=10_000)
            rows, total, _ = all_pages(s, scope, day, sort="employees", page_size=10)
            assert (rows["township_id"] == yb).all() and (rows["township"] == facts.YUEBEI_NAME).all()
            assert total == (district["township_id"] == yb).sum() == len(rows) > 0
            assert sorted(rows["enterprise_id"]) == sorted(district.loc[district["township_id"] == yb, "enterprise_id"])
        # 2002-12-31: 37 unionised enterprises in 越北镇, 7 with a branch, 30 with a liaison officer
        rows = ledger_rows(s, scope, facts.SNAPSHOT, LedgerQuery(), limit=1000)
        kpis = coverage.coverage_kpis(s, scope, facts.SNAPSHOT)
        assert rows["union"].notna().sum() == kpis.union_coverage.numerator == facts.YUEBEI_UNIONISED
        counts = rows["pattern"].value_counts()
        assert counts["union_and_branch"] == kpis.patterns[Pattern.UNION_AND_BRANCH] == facts.YUEBEI_WITH_BRANCH
        assert counts["union_and_liaison"] == kpis.patterns[Pattern.UNION_AND_LIAISON] == facts.YUEBEI_WITH_LIAISON
        assert len(rows) == kpis.operating
        # the detail: None outside the scope (as if it did not exist), found inside
        other = int(district.loc[district["township_id"] != yb, "enterprise_id"].iloc[0])
        mine = int(rows["enterprise_id"].iloc[0])
        assert enterprise_detail(s, scope, other, TODAY) is None
        assert enterprise_detail(s, Scope.district(), other, TODAY) is not None
        assert enterprise_detail(s, scope, mine, TODAY).township == facts.YUEBEI_NAME
        assert enterprise_detail(s, Scope.townships([]), mine, TODAY) is None
        assert enterprise_detail(s, Scope.district(), 10**9, TODAY) is None
        assert ledger_page(s, Scope.townships([]), TODAY, LedgerQuery()).total == 0


def test_a_scope_over_the_sanyou_base_still_gets_the_whole_register(any_demo_engine, monkeypatch):
    """The ledger is a register: a scope over the 三有 base (what the coverage pages carry) lists and
    counts every operating enterprise of its townships, exactly as the scope over all of them does —
    on both paths (fresh summaries, exact SQL), the export rows and the detail alike."""
    queries = [dict(), dict(sort="pattern", descending=True), dict(patterns=("no_union", "should_build")),
               dict(search="有限", sort="employees")]
    with Session(any_demo_engine) as s:
        yb = yuebei_id(s)
        for register in (Scope.district(), Scope.townships([yb])):
            sanyou = register.with_base(Base.SANYOU)
            in_base = set(coverage.enterprise_patterns(s, sanyou, TODAY, limit=None)["enterprise_id"])
            everyone = ledger_rows(s, register, TODAY, LedgerQuery(), limit=10_000)
            outside = sorted(set(everyone["enterprise_id"]) - in_base)
            assert in_base and outside  # the control: the 三有 base leaves some enterprises out
            assert ledger_rows(s, sanyou, TODAY, LedgerQuery(), limit=10_000).equals(everyone)
            for fresh in (True, False):
                with monkeypatch.context() as m:
                    m.setattr(ledger, "summaries_fresh", lambda session, fresh=fresh: fresh)
                    for q in queries:
                        want, total, pages = all_pages(s, register, TODAY, page_size=200, **q)
                        got, got_total, got_pages = all_pages(s, sanyou, TODAY, page_size=200, **q)
                        assert (got_total, got_pages) == (total, pages) and got.equals(want), (register, fresh, q)
            detail = enterprise_detail(s, sanyou, int(outside[0]), TODAY)
            assert detail is not None and detail.enterprise_id == outside[0]
            assert detail.pattern == enterprise_detail(s, register, int(outside[0]), TODAY).pattern


# --------------------------------------------------------------------------- detail and history


def test_hongguang_union_came_before_its_party_branch(any_demo_engine):
    with Session(any_demo_engine) as s:
        eid = enterprise_id(s, facts.HONGGUANG)
        d = enterprise_detail(s, Scope.district(), eid, facts.SNAPSHOT)
        assert d.name == facts.HONGGUANG and d.owner_is_party_member is facts.HONGGUANG_OWNER_IS_PARTY_MEMBER
        assert d.pattern is Pattern.UNION_AND_BRANCH and d.union and d.party_org
        h = d.history
        assert list(h.columns) == ledger.HISTORY_COLUMNS
        assert list(h["date"]) == sorted(h["date"])  # sorted by date
        assert h["date"].max() <= facts.SNAPSHOT  # nothing after the as-of date
        union = h.index[h["kind"] == "union_founded"]
        branch = h.index[h["kind"] == "party_org_founded"]
        assert len(union) == 1 and len(branch) == 1 and union[0] < branch[0]
        assert h.at[union[0], "date"].year == facts.HONGGUANG_UNION_YEAR
        assert h.at[branch[0], "date"].year == facts.HONGGUANG_BRANCH_YEAR
        assert h.at[branch[0], "level"] == "branch" and h.at[union[0], "category"] == "enterprise"
        # 书记主席一肩挑: the branch secretary is the union chair
        assert h.at[branch[0], "detail"] == h.at[union[0], "detail"]
        assert h["kind"].iloc[0] == "registered"
        assert "activity" in set(h["kind"])
        assert set(h["kind"]) <= set(ledger.HISTORY_KINDS)
        # replayed at 2000-01-01: the union exists, the branch does not yet
        early = enterprise_detail(s, Scope.district(), eid, dt.date(2000, 1, 1))
        assert "union_founded" in set(early.history["kind"]) and "party_org_founded" not in set(early.history["kind"])
        assert early.pattern is Pattern.SHOULD_BUILD and early.party_org is None
        # before registration it is not operating: no pattern, no history
        before = enterprise_detail(s, Scope.district(), eid, dt.date(1990, 1, 1))
        assert before.pattern is None and before.history.empty


def test_deyun_honours_and_branch_first_are_in_its_history(any_demo_engine):
    with Session(any_demo_engine) as s:
        d = enterprise_detail(s, Scope.district(), enterprise_id(s, facts.DEYUN), TODAY)
        h = d.history
        honours = h[h["kind"] == "honour"]
        got = {(r.title, r.level, r.organ, r.unit) for r in honours.itertuples()}
        assert set(facts.DEYUN_HONORS) <= got
        assert honours["year_only"].all() and all((x.month, x.day) == (1, 1) for x in honours["date"])
        founded = {k: h.loc[h["kind"] == k, "date"].min() for k in ("party_org_founded", "union_founded")}
        assert founded["party_org_founded"] < founded["union_founded"]  # general branch first, then the union
        assert h.loc[h["kind"] == "party_org_founded", "level"].iloc[0] == "general_branch"
        assert (h["kind"] == "activity").sum() > 20 and (h["kind"] == "joint_meeting").sum() > 0
        # as of 2000 the honours (2001, 2002) are not there yet
        early = enterprise_detail(s, Scope.district(), d.enterprise_id, dt.date(2000, 6, 30))
        assert "honour" not in set(early.history["kind"])


def test_history_holds_every_kind_of_event_somewhere(demo_engine):
    """Across the demo's enterprises each event source shows up (guards a silently empty query).
    The enterprises are read until every kind has been seen (up to 40 per source table)."""
    wanted = ("registered", "closed", "union_founded", "union_coverage_start", "party_org_founded",
              "liaison_appointed", "double_love_award", "notice_sent", "lead_identified",
              "activist_recommended", "activist_stage")
    with Session(demo_engine) as s:
        closed = s.execute(sa.text("SELECT id FROM enterprise WHERE closed_on IS NOT NULL LIMIT 1")).scalar_one()
        kinds: set[str] = set(enterprise_detail(s, Scope.district(), closed, TODAY).history["kind"])
        for table in ("liaison_officer", "double_love_award", "coordination_notice", "founding_lead",
                      "activist_recommendation", "union_coverage", "party_coverage"):
            col = "enterprise_id"
            ids = [i for (i,) in s.execute(sa.text(f"SELECT DISTINCT {col} FROM {table} WHERE {col} IS NOT NULL "
                                                   f"ORDER BY {col} LIMIT 40"))]
            for eid in ids:
                if set(wanted) <= kinds:
                    break
                detail = enterprise_detail(s, Scope.district(), eid, TODAY)
                kinds |= set(detail.history["kind"])
    for kind in wanted:
        assert kind in kinds, kind


# --------------------------------------------------------------------------- validation and limits


@pytest.mark.parametrize("bad", [
    dict(sort="salary"), dict(page=0), dict(page=-1), dict(page_size=9), dict(page_size=501),
    dict(patterns=("no_union", "bogus")), dict(patterns="no_union"), dict(patterns=None), dict(page=1.5),
    dict(search="x" * 101), dict(search=None),
])
def test_invalid_queries_raise_value_error(bad):
    with pytest.raises(ValueError):
        LedgerQuery(**bad)


def test_queries_are_normalised_and_hashable():
    a = LedgerQuery(search="  红光 ", patterns=["should_build", Pattern.NO_UNION])
    b = LedgerQuery(search="红光", patterns=("no_union", "should_build"))
    assert a == b and hash(a) == hash(b) and a.patterns == ("no_union", "should_build") and a.search == "红光"
    assert LedgerQuery(page_size=10).page_size == 10 and LedgerQuery(page_size=500).page_size == 500


def test_export_rows_respect_the_limit(demo_engine):
    with Session(demo_engine) as s:
        q = LedgerQuery(sort="registered_on", descending=True, page=3, page_size=10)
        total = ledger_page(s, Scope.district(), TODAY, q).total
        with pytest.raises(LedgerTooLarge) as info:
            ledger_rows(s, Scope.district(), TODAY, q, limit=total - 1)
        assert info.value.count == total and info.value.limit == total - 1 and f"{total:,}" in str(info.value)
        rows = ledger_rows(s, Scope.district(), TODAY, q, limit=total)
        paged, _, _ = all_pages(s, Scope.district(), TODAY, sort="registered_on", descending=True, page_size=500)
        assert rows.equals(paged)  # every row, in the query's order, page settings ignored
        with pytest.raises(ValueError):
            ledger_rows(s, Scope.district(), TODAY, q, limit=0)
        with pytest.raises(ValueError):
            ledger_page(s, Scope.district(), TODAY, {"sort": "name"})


def test_both_query_plans_and_lazy_segment_counts_give_the_same_rows(any_demo_engine, monkeypatch):
    """Walking an index and collecting a set are speed choices: both must give the same pages."""
    queries = [dict(), dict(sort="employees", descending=True), dict(patterns=("should_build",)),
               dict(sort="pattern"), dict(sort="township", descending=True, patterns=("union_only", "no_union")),
               dict(search="有限", sort="pattern", descending=True), dict(search="食品", sort="township"),
               dict(search="食品", sort="pattern"), dict(search="有限", sort="pattern", patterns=("no_union", "union_only"))]
    with Session(any_demo_engine) as s:
        ref = reference(s, Scope.district(), TODAY)
        picked = []  # sorted by pattern with fresh summaries: pages read from the pattern periods
        original_pick = ledger._pick_from_state
        monkeypatch.setattr(ledger, "_pick_from_state", lambda *a: picked.append(a[2]) or original_pick(*a))
        default = [all_pages(s, Scope.district(), TODAY, page_size=40, **q)[0] for q in queries]
        assert picked
        monkeypatch.setattr(ledger, "_pick_from_state", original_pick)
        for k, q in enumerate(queries):
            want = ref
            if "patterns" in q:
                want = want[want["pattern"].isin(q["patterns"])]
            if "search" in q:
                want = want[want["name"].str.contains(q["search"], regex=False)]
            assert default[k]["enterprise_id"].tolist() == expected_ids(
                want, q.get("sort", "name"), q.get("descending", False)), q
        for stale in (False, True):
            monkeypatch.setattr(ledger, "summaries_fresh", lambda session, stale=stale: not stale)
            for mode in (True, False):
                monkeypatch.setattr(ledger, "_set_driven", lambda *args, mode=mode: mode)
                for k, q in enumerate(queries):
                    got = all_pages(s, Scope.district(), TODAY, page_size=40, **q)[0]
                    assert got.equals(default[k]), (stale, mode, q)
        # segments counted lazily (many matches, and more left out than _SET_DRIVEN_MAX): a deep page
        # has to count the segments it skips — by what the search leaves out (most match: "有限") or
        # by what it matches ("食品")
        monkeypatch.undo()
        monkeypatch.setattr(ledger, "_SET_DRIVEN_MAX", 5)
        calls = []
        original = ledger._pattern_counts
        monkeypatch.setattr(ledger, "_pattern_counts", lambda *a, **kw: calls.append(kw.get("unmatched", False))
                            or original(*a, **kw))
        for k in (5, 6, 7, 8):
            q = queries[k]
            assert all_pages(s, Scope.district(), TODAY, page_size=40, **q)[0].equals(default[k])
        assert set(calls) == {True, False}  # both ways of counting ran
