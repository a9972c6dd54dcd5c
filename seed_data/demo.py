"""The deterministic demo district (DESIGN.md §5).

``build_demo(seed, today)`` returns plain rows per table (explicit ids, no database), so the same
seed and date always give the same rows; ``write_demo(engine, …)`` inserts them in one
transaction. Every seed fact of ``seed_data.facts`` holds as of ``facts.SNAPSHOT``; from 2003 to
``today`` the story goes on (new enterprises, closures, later foundings, meetings with open and
overdue action items). Only 越北镇 and the four model enterprises come from the source; every
other name is fictional.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import models  # noqa: F401  (all tables registered)
from sqlmodel import Session

from models import rules
from models.accounts import create_user
from models.audit import audit
from models.summary import rebuild_summaries
from models.enums import (
    ActionStatus,
    ActivityKind,
    Barrier,
    GroupRole,
    LeadSource,
    LeadStage,
    LiaisonKind,
    MeetingLevel,
    NoticeDirection,
    Organ,
    Ownership,
    PartyOrgLevel,
    Season,
    TownshipKind,
    UnionKind,
    UnitKind,
)
from seed_data import facts
from seed_data.accounts import DEMO_PASSWORD, DEMO_USERS
from seed_data.cases import DEMO_CASE_TEMPLATES, SOURCE_CASES
from seed_data.geo import load_demo_geojson

DEFAULT_SEED = 2002


class DemoError(RuntimeError):
    """The demo could not be written (one sentence)."""
D = dt.date

# (code, name, kind) — 越北镇 from the source, the others fictional.
TOWNSHIPS: tuple[tuple[str, str, TownshipKind], ...] = (
    (facts.YUEBEI_CODE, facts.YUEBEI_NAME, TownshipKind.TOWN),
    ("QL", "青岚街道", TownshipKind.SUBDISTRICT),
    ("ST", "松涛街道", TownshipKind.SUBDISTRICT),
    ("MD", "明德街道", TownshipKind.SUBDISTRICT),
    ("LT", "柳塘街道", TownshipKind.SUBDISTRICT),
    ("DL", "东岭镇", TownshipKind.TOWN),
    ("SH", "石湖镇", TownshipKind.TOWN),
    ("YG", "云岗镇", TownshipKind.TOWN),
    ("XY", "西苑乡", TownshipKind.TOWNSHIP),
    ("HX", "桦溪乡", TownshipKind.TOWNSHIP),
)

#: 百日攻坚 2002: a hundred days; every founding and new member of the campaign falls inside.
CAMPAIGN_START = D(2002, 5, 8)
CAMPAIGN_END = D(2002, 8, 15)
#: 划线设区: zones of the 2002 campaign (name, township codes, owner unit code)
ZONES_2002 = (
    ("第一战区", ("YB", "DL", "SH"), "ZGH"),
    ("第二战区", ("QL", "ST", "MD"), "ZZB"),
    ("第三战区", ("XY", "HX"), "MQJ_DW"),
    ("第四战区", ("YG", "LT"), "ZGH"),
)

# Snapshot categories (see _snapshot_plan): how many enterprises of each at 2002-12-31.
#   A union + Party org (≥3 members)      B Party org, no union (≥3)
#   C union, ≥3 members, no Party org      D no union, ≥3, no Party org
#   E union + liaison (<3)                 F union only (<3)          G no union (<3)
YUEBEI_PLAN = {"A": 7, "B": 0, "C": 0, "D": 2, "E": 30, "F": 0, "G": 4}
OTHERS_PLAN = {"A": 45, "B": 0, "C": 20, "D": 6, "E": 400, "F": 85, "G": 51}
# Two of the 52 qualified enterprises with a Party organisation have no union yet (B): they are
# taken from OTHERS_PLAN["A"], which counts enterprises with a Party organisation.
B_COUNT = 2
PRE2002_UNIONISED = 110  # enterprises already unionised before the campaign
JOINT_2002_ENTERPRISES = 90  # small enterprises covered by the 2002 joint unions

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建国志红春梅海波宏亮晓东立新文博雪松振华德胜淑珍凤兰俊峰"
NAME_HEADS = "松源鑫盛恒泰华通宏达永兴金鼎瑞丰东升天成长城昌隆聚德兴业佳和博远汇丰裕隆中信新宇龙腾凯旋宝利润发广源"
INDUSTRIES = (
    ("机械制造", "manufacturing"),
    ("化工", "chemicals"),
    ("建材", "building materials"),
    ("食品", "food"),
    ("商贸", "trade"),
    ("物流", "logistics"),
    ("建筑安装", "construction"),
    ("电子", "electronics"),
    ("服装", "garments"),
    ("餐饮服务", "catering"),
)
#: 典型带动: the source names no honour of these three, only that their Party and union organisations
#: "joined the advanced ranks" — the demo's staff designation quotes it (DESIGN.md §5, the four models)
MODEL_DESIGNATION_REASONS = {
    facts.HENGTONG: "原文（典型带动）：继德运公司以后，恒通高压电气的党工组织迈入先进行列",
    facts.FANGTIAN: "原文（典型带动）：继德运公司以后，方田水泵的党工组织迈入先进行列；针对企业特点开展合理化建议、技术革新、劳动竞赛",
    facts.HONGGUANG: "原文（典型带动）：纯私营企业党工组织跻身先进行列；1999年先建工会，2001年建党支部，书记主席一肩挑",
}
#: when the demo's staff made those designations (the snapshot day, 17:00 Beijing time); migration 0007
#: writes the same rows into a demo database upgraded from 0006
MODEL_DESIGNATION_AT = dt.datetime.combine(facts.SNAPSHOT, dt.time(9, 0), tzinfo=dt.UTC)
OTHER_UNIT_SUFFIXES = ("村工会", "社区工会", "学校工会", "卫生院工会", "个体劳动者协会工会", "商会工会")


#: the documents the leading group issued (the source names the 实施方案 and the 意见; the numbers
#: and the other titles are the demo's)
GROUP_DOCUMENTS: tuple[tuple[str, str, str, dt.date, str], ...] = (
    ("关于成立##区党工共建工作领导小组的通知", "##委办发〔2002〕7号", "中共##区委办公室", D(2002, 3, 1),
     "区委主管书记任组长，联系工会工作的副区长、区委组织部部长、区人大副主任、区总工会主席任副组长，"
     "统揽区委组织部、区总工会、区工商局、区民营经济发展局等成员单位。"),
    ("##区非公有制企业工会组建百日攻坚实施方案", "##工发〔2002〕12号", "##区党工共建工作领导小组", D(2002, 5, 6),
     "大兵团打攻坚：划线设区、锁定指标、包片负责，四个战区百日内新建基层工会。"),
    ("关于做好非公有制企业党工共建工作的意见", "##委发〔2002〕21号", "中共##区委", D(2002, 9, 10),
     "建立协调通报制、两级联席会议制、荐优纳新推评制和双爱双评四项机制。"),
    ("关于全程跟踪抓建会的六项措施", "##工发〔2003〕3号", "##区总工会", D(2003, 2, 20),
     "把握契机、预建通报、盯住源头、登门留帖、调度招商、拓宽领域，跟踪每一家新企业直到建会。"),
    ("##区“双爱双评”活动实施办法", "##委办发〔2003〕15号", "##区党工共建工作领导小组", D(2003, 4, 1),
     "每年评选热爱企业的优秀职工和热爱职工的优秀经营者，按乡镇街道分配名额。"),
)


@dataclass
class DemoData:
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))

    def add(self, table: str, **values: Any) -> int:
        rows = self.rows[table]
        if "id" not in values:
            values["id"] = len(rows) + 1
        rows.append(values)
        return values["id"]

    def counts(self) -> dict[str, int]:
        return {t: len(r) for t, r in self.rows.items()}


@dataclass
class _Ent:
    """Working state of one enterprise while the story is generated."""

    id: int
    township: str
    category: str  # snapshot category A–G, or "N" (registered after 2002)
    party_members: int
    employees: int
    registered_on: dt.date
    closed_on: dt.date | None = None
    union_on: dt.date | None = None  # first coverage start
    party_on: dt.date | None = None
    liaison_on: dt.date | None = None
    joint_union: int | None = None
    own_union: int | None = None
    party_org: int | None = None


class _Builder:
    def __init__(self, seed: int, today: dt.date):
        if today <= facts.SNAPSHOT:
            raise DemoError(f"演示数据的截止日期必须晚于 {facts.SNAPSHOT}（原文的统计日）"
                            f" / the demo's date must be after {facts.SNAPSHOT}, the source's snapshot")
        self.rng = random.Random(seed)
        # the 三有 flags draw from their own stream: the facts' stream above stays as it was
        self.base_rng = random.Random(seed * 31 + 3)
        self.seed = seed
        self.today = today
        self.data = DemoData()
        self.township_ids: dict[str, int] = {}
        self.units: dict[str, int] = {}
        self.ents: list[_Ent] = []
        self.by_name: dict[str, _Ent] = {}
        self._names: set[str] = set()
        self._people: set[str] = set()
        self._serial = 0

    # ------------------------------------------------------------------ small helpers
    def date_between(self, a: dt.date, b: dt.date) -> dt.date:
        if b < a:
            b = a
        return a + dt.timedelta(days=self.rng.randint(0, (b - a).days))

    def person(self) -> str:
        for _ in range(1000):
            n = self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2))))
            if n not in self._people:
                self._people.add(n)
                return n
        return n  # pragma: no cover

    def company_name(self, industry: str) -> str:
        while True:
            head = "".join(self.rng.sample(NAME_HEADS, 2))
            tail = self.rng.choice(("有限公司", "有限责任公司", "股份有限公司", "厂"))
            name = f"吉林市{head}{industry}{tail}"
            if name not in self._names:
                self._names.add(name)
                return name

    def uscc(self) -> str:
        self._serial += 1
        return rules.make_uscc(division=facts.DIVISION_CODE, serial=10_000_000 + self._serial * 7)

    # ------------------------------------------------------------------ places, units, people
    def places(self) -> None:
        geo = {f["properties"]["code"]: f["geometry"] for f in load_demo_geojson()["features"]}
        for order, (code, name, kind) in enumerate(TOWNSHIPS):
            self.township_ids[code] = self.data.add(
                "township",
                code=code,
                name=name,
                kind=kind.value,
                sort_order=order,
                boundary_geojson=json.dumps(geo[code], ensure_ascii=False) if code in geo else None,
                boundary_is_schematic=True,
            )
        district_units = (
            ("ZZB", "区委组织部", UnitKind.PARTY_DEPT),
            ("ZGH", "区总工会", UnitKind.UNION),
            ("GSJ", "区工商局", UnitKind.GOVERNMENT),
            ("MQJ", "区民营经济发展局", UnitKind.GOVERNMENT),
            ("MQJ_DW", "区民营经济发展局党委", UnitKind.BUREAU_PARTY),
            ("QWB", "区委办公室", UnitKind.PARTY_DEPT),
            ("ZSJ", "区招商局", UnitKind.GOVERNMENT),
        )
        for code, name, kind in district_units:
            self.units[code] = self.data.add("unit", code=code, name=name, kind=kind.value, township_id=None)
        for code, name, kind in TOWNSHIPS:
            committee = "党工委" if kind is TownshipKind.SUBDISTRICT else "党委"
            self.units[f"{code}_DW"] = self.data.add(
                "unit", code=f"{code}_DW", name=f"{name}{committee}", kind=UnitKind.TOWNSHIP_PARTY.value,
                township_id=self.township_ids[code],
            )
            self.units[f"{code}_GH"] = self.data.add(
                "unit", code=f"{code}_GH", name=f"{name}工会", kind=UnitKind.UNION.value, township_id=self.township_ids[code]
            )

    def leading_group(self) -> None:
        positions = [(pos, GroupRole(role), None) for pos, role in facts.LEADING_GROUP]
        positions += [
            ("区委组织部副部长", GroupRole.MEMBER, "ZZB"),
            ("区总工会副主席", GroupRole.MEMBER, "ZGH"),
            ("区工商局局长", GroupRole.MEMBER, "GSJ"),
            ("区民营经济发展局局长", GroupRole.MEMBER, "MQJ"),
            ("区民营经济发展局党委书记", GroupRole.MEMBER, "MQJ_DW"),
            ("越北镇党委书记", GroupRole.MEMBER, "YB_DW"),
        ]
        unit_for = {"区委组织部部长": "ZZB", "区总工会主席": "ZGH", "区委主管书记": "QWB"}
        terms = [D(2002, 3, 1), D(2007, 3, 1), D(2012, 3, 1), D(2017, 3, 1), D(2022, 3, 1)]
        terms = [t for t in terms if t <= self.today]
        for k, start in enumerate(terms):
            end = terms[k + 1] if k + 1 < len(terms) else None
            for order, (pos, role, unit) in enumerate(positions):
                unit = unit or unit_for.get(pos)
                self.data.add(
                    "leading_group_member", name=self.person(), position=pos, role=role.value,
                    unit_id=self.units[unit] if unit else None, sort_order=order, from_on=start, to_on=end,
                )
        for title, doc_no, issuer, issued_on, summary in GROUP_DOCUMENTS:
            if issued_on <= self.today:
                self.data.add("group_document", title=title, doc_no=doc_no, issuer=issuer, issued_on=issued_on,
                              summary=summary)

    # ------------------------------------------------------------------ enterprises at the snapshot
    def _new_enterprise(self, township_code: str, category: str, *, name: str | None = None, members: int | None = None,
                        employees: int | None = None, registered_on: dt.date | None = None,
                        ownership: Ownership | None = None, owner_member: bool | None = None,
                        barrier: Barrier | None = None) -> _Ent:
        r = self.rng
        if members is None and category == "A" and township_code == facts.YUEBEI_CODE:
            members = r.randint(3, 12)  # 越北镇's seven have Party branches (支部)
        if members is None:
            members = {
                "A": lambda: r.choice((3, 3, 4, 5, 5, 6, 7, 8, 9, 11, 14, 18, 25, 36, 52, 61, 104)),
                "B": lambda: r.randint(3, 9),
                "C": lambda: r.randint(3, 8),
                "D": lambda: r.randint(3, 6),
            }.get(category, lambda: r.choice((0, 0, 0, 0, 1, 1, 2)))()
        if employees is None:
            base = r.choice((8, 12, 15, 20, 25, 30, 35, 40, 45, 55, 60, 70, 85, 100, 120, 150))
            employees = max(base + r.randint(0, 15), members * r.randint(4, 9), members + 3)
        industry, _ = r.choice(INDUSTRIES)
        if registered_on is None:
            registered_on = self.date_between(D(1990, 1, 1), D(2002, 4, 30))
        if ownership is None:
            ownership = r.choices(list(Ownership), weights=(70, 8, 12, 4, 6))[0]
        if barrier is None and category in "CD":
            barrier = r.choices(list(Barrier), weights=(35, 5, 20, 15, 25))[0]
        if barrier is None and category == "F":
            barrier = r.choice((Barrier.TOO_FEW_MEMBERS, Barrier.OWNER_UNWILLING))
        eid = self.data.add(
            "enterprise", uscc=self.uscc(), name=name or self.company_name(industry),
            township_id=self.township_ids[township_code], is_village=(r.random() < 0.12 and township_code not in ("QL", "ST", "MD", "LT")),
            ownership=ownership.value, industry=industry, employees=employees, party_members=members,
            registered_on=registered_on, closed_on=None, barrier=barrier.value if barrier else None,
            legal_rep=self.person(), owner_is_party_member=owner_member if owner_member is not None else r.random() < 0.1,
            **self._base_flags(category, ownership),
        )
        ent = _Ent(eid, township_code, category, members, employees, registered_on)
        self.ents.append(ent)
        return ent

    def _base_flags(self, category: str, ownership: Ownership) -> dict[str, bool]:
        """三有 flags as a verification would find them: a model enterprise (category A) always has
        both; a 个体 often has no fixed premises of its own (a stall, a home workshop); a few others
        have none or have stopped trading without deregistering (歇业)."""
        if category == "A":
            return {"fixed_premises": True, "trading": True}
        r = self.base_rng
        no_premises = 0.35 if ownership is Ownership.INDIVIDUAL else 0.04
        return {"fixed_premises": r.random() >= no_premises, "trading": r.random() >= 0.05}

    def snapshot_enterprises(self) -> None:
        r = self.rng
        # The four model enterprises (township placement is synthetic).
        self.by_name[facts.DEYUN] = self._new_enterprise(
            "QL", "A", name=facts.DEYUN, members=62, employees=640, registered_on=D(1998, 3, 16),
            ownership=Ownership.RESTRUCTURED, owner_member=True)
        self.by_name[facts.HENGTONG] = self._new_enterprise(
            "ST", "A", name=facts.HENGTONG, members=14, employees=210, registered_on=D(1996, 9, 2),
            ownership=Ownership.PRIVATE)
        self.by_name[facts.FANGTIAN] = self._new_enterprise(
            "DL", "A", name=facts.FANGTIAN, members=9, employees=160, registered_on=D(1997, 5, 20),
            ownership=Ownership.PRIVATE)
        self.by_name[facts.HONGGUANG] = self._new_enterprise(
            "MD", "A", name=facts.HONGGUANG, members=5, employees=86, registered_on=D(1998, 4, 8),
            ownership=Ownership.PRIVATE, owner_member=facts.HONGGUANG_OWNER_IS_PARTY_MEMBER)
        for cat, n in YUEBEI_PLAN.items():
            for _ in range(n):
                self._new_enterprise(facts.YUEBEI_CODE, cat)
        others = [c for c, _, _ in TOWNSHIPS if c != facts.YUEBEI_CODE]
        weights = [14, 12, 11, 8, 12, 10, 9, 8, 7]
        plan = dict(OTHERS_PLAN)
        plan["A"] -= 4 + B_COUNT  # the models are A; B taken from the Party-organisation count
        plan["B"] = B_COUNT
        for cat, n in plan.items():
            for _ in range(n):
                self._new_enterprise(r.choices(others, weights=weights)[0], cat)

    # ------------------------------------------------------------------ unions, Party orgs, liaison at the snapshot
    def _union(self, kind: UnionKind, township_code: str, founded: dt.date, *, name: str, enterprise: _Ent | None = None,
               chair: str | None = None, federation: int | None = None, one_person: bool = False) -> int:
        return self.data.add(
            "union_org", name=name, kind=kind.value, township_id=self.township_ids[township_code],
            enterprise_id=enterprise.id if enterprise else None, federation_id=federation, founded_on=founded,
            dissolved_on=None, chair_name=chair or self.person(),
            has_workers_congress=enterprise is not None and enterprise.employees >= 100 and self.rng.random() < 0.7,
            chair_is_party_secretary=one_person,
        )

    def _cover_union(self, ent: _Ent, union_id: int, start: dt.date) -> None:
        ent.union_on = start
        self.data.add("union_coverage", union_id=union_id, enterprise_id=ent.id, start_on=start, end_on=None)

    def _party(self, ent: _Ent, founded: dt.date, *, level: PartyOrgLevel | None = None,
               secretary: str | None = None) -> int:
        level = level or rules.expected_party_org_level(ent.party_members) or PartyOrgLevel.BRANCH
        suffix = {PartyOrgLevel.COMMITTEE: "党委", PartyOrgLevel.GENERAL_BRANCH: "党总支",
                  PartyOrgLevel.BRANCH: "党支部", PartyOrgLevel.JOINT_BRANCH: "联合党支部"}[level]
        name = self.data.rows["enterprise"][ent.id - 1]["name"]
        pid = self.data.add(
            "party_org", name=f"{name}{suffix}", level=level.value, township_id=self.township_ids[ent.township],
            enterprise_id=ent.id, founded_on=founded, dissolved_on=None, secretary_name=secretary or self.person(),
        )
        ent.party_on, ent.party_org = founded, pid
        self.data.add("party_coverage", party_org_id=pid, enterprise_id=ent.id, start_on=founded, end_on=None)
        return pid

    def _liaison(self, ent: _Ent, appointed: dt.date) -> None:
        own = ent.party_members > 0
        ent.liaison_on = appointed
        self.data.add(
            "liaison_officer", enterprise_id=ent.id, name=self.person(),
            kind=(LiaisonKind.OWN if own else LiaisonKind.DISPATCHED).value,
            dispatched_by_unit_id=None if own else self.units[f"{ent.township}_DW"],
            appointed_on=appointed, ended_on=None,
        )

    def snapshot_organisations(self) -> None:
        r = self.rng
        ents = self.ents
        models_ = {self.by_name[n].id for n in facts.MODEL_ENTERPRISES}
        unionised = [e for e in ents if e.category in "ACEF"]
        assert len(unionised) == facts.UNIONISED_ENTERPRISES
        # Enterprises unionised before the campaign: the models plus a random choice.
        rest = [e for e in unionised if e.id not in models_]
        r.shuffle(rest)
        pre = [self.by_name[n] for n in facts.MODEL_ENTERPRISES] + rest[: PRE2002_UNIONISED - 4]
        campaign = rest[PRE2002_UNIONISED - 4:]
        # Joint unions of 2002 take small, members-less-than-3 enterprises by township.
        small = [e for e in campaign if e.category in "EF" and e.employees <= 60]
        joint_members = small[:JOINT_2002_ENTERPRISES]
        own_2002 = [e for e in campaign if e not in joint_members]

        dy, ht, ft, hg = (self.by_name[n] for n in facts.MODEL_ENTERPRISES)
        # 德运: Party general branch first, then the union.
        self._party(dy, D(1998, 6, 18), level=PartyOrgLevel.GENERAL_BRANCH)
        self._cover_union(dy, self._union(UnionKind.ENTERPRISE, dy.township, D(1999, 3, 5),
                                          name=f"{facts.DEYUN}工会", enterprise=dy), D(1999, 3, 5))
        self.data.rows["union_org"][-1]["has_workers_congress"] = True
        # 红光: union committee 1999, Party branch 2001; one person is secretary and chair.
        both = self.person()
        self._cover_union(hg, self._union(UnionKind.ENTERPRISE, hg.township, D(facts.HONGGUANG_UNION_YEAR, 6, 12),
                                          name=f"{facts.HONGGUANG}工会委员会", enterprise=hg, chair=both,
                                          one_person=True), D(facts.HONGGUANG_UNION_YEAR, 6, 12))
        self._party(hg, D(facts.HONGGUANG_BRANCH_YEAR, 7, 1), level=PartyOrgLevel.BRANCH, secretary=both)
        for ent, u_on, p_on in ((ht, D(1999, 11, 20), D(2000, 6, 28)), (ft, D(2000, 4, 26), D(2001, 6, 25))):
            self._cover_union(ent, self._union(UnionKind.ENTERPRISE, ent.township, u_on,
                                               name=f"{self.data.rows['enterprise'][ent.id - 1]['name']}工会",
                                               enterprise=ent), u_on)
            self._party(ent, p_on)

        def own_union(ent: _Ent, founded: dt.date, federation: int | None = None) -> None:
            name = self.data.rows["enterprise"][ent.id - 1]["name"]
            uid = self._union(UnionKind.ENTERPRISE, ent.township, founded, name=f"{name}工会", enterprise=ent,
                              federation=federation)
            ent.own_union = uid
            self._cover_union(ent, uid, founded)

        for ent in pre[4:]:
            # before 2002, so that the calendar year 2002 holds exactly the campaign's foundings
            founded = self.date_between(max(min(ent.registered_on, D(2001, 6, 30)), D(1998, 1, 1)), D(2001, 12, 31))
            ent.registered_on = min(ent.registered_on, founded)
            self.data.rows["enterprise"][ent.id - 1]["registered_on"] = ent.registered_on
            own_union(ent, founded)
        # The campaign: 3 federations, own unions, joint unions, other grassroots units.
        feds = []
        for k, township_code in enumerate(("QL", "DL", facts.YUEBEI_CODE)):
            name = f"{dict((c, n) for c, n, _ in TOWNSHIPS)[township_code]}私营企业工会联合会"
            feds.append((township_code, self._union(UnionKind.FEDERATION, township_code,
                                           self.date_between(CAMPAIGN_START, CAMPAIGN_START + dt.timedelta(20)),
                                           name=name)))
        fed_of = dict(feds)
        for ent in own_2002:
            ent.registered_on = min(ent.registered_on, CAMPAIGN_END - dt.timedelta(30))
            self.data.rows["enterprise"][ent.id - 1]["registered_on"] = ent.registered_on
            own_union(ent, self.date_between(max(ent.registered_on, CAMPAIGN_START), CAMPAIGN_END),
                      federation=fed_of.get(ent.township) if r.random() < 0.5 else None)
        by_township: dict[str, list[_Ent]] = defaultdict(list)
        for ent in joint_members:
            by_township[ent.township].append(ent)
        n_joint = 0
        for township_code, group in sorted(by_township.items()):
            for k in range(0, len(group), 5):
                chunk = group[k: k + 5]
                founded = self.date_between(CAMPAIGN_START, CAMPAIGN_END - dt.timedelta(10))
                n_joint += 1
                tname = dict((c, n) for c, n, _ in TOWNSHIPS)[township_code]
                uid = self._union(UnionKind.JOINT, township_code, founded, name=f"{tname}第{n_joint}联合工会",
                                  federation=fed_of.get(township_code))
                for ent in chunk:
                    ent.registered_on = min(ent.registered_on, founded)
                    self.data.rows["enterprise"][ent.id - 1]["registered_on"] = ent.registered_on
                    ent.joint_union = uid
                    self._cover_union(ent, uid, founded)
        other_2002 = facts.CAMPAIGN_NEW_GRASSROOTS_UNIONS - len(own_2002) - n_joint
        assert other_2002 > 0, "plan leaves no room for other grassroots units"
        self._other_unions(other_2002, CAMPAIGN_START, CAMPAIGN_END)
        self._other_unions(40, D(1998, 1, 1), D(2001, 12, 31))

        # Party organisations of A and B enterprises (before the snapshot).
        for ent in ents:
            if ent.category in "AB" and ent.party_on is None:
                founded = self.date_between(max(ent.registered_on, D(1998, 1, 1)), D(2002, 11, 30))
                self._party(ent, founded)
        # Liaison officers of E enterprises.
        for ent in ents:
            if ent.category == "E":
                start = max(ent.union_on, D(2002, 1, 1)) if ent.union_on else ent.registered_on
                self._liaison(ent, self.date_between(start, min(start + dt.timedelta(60), facts.SNAPSHOT)))

    def _other_unions(self, n: int, start: dt.date, end: dt.date) -> None:
        township_codes = [c for c, _, _ in TOWNSHIPS]
        for k in range(n):
            township_code = self.rng.choice(township_codes)
            head = "".join(self.rng.sample(NAME_HEADS, 2))
            self._union(UnionKind.OTHER, township_code, self.date_between(start, end),
                        name=f"{dict((c, nm) for c, nm, _ in TOWNSHIPS)[township_code]}{head}{self.rng.choice(OTHER_UNIT_SUFFIXES)}")

    # ------------------------------------------------------------------ membership
    def membership(self) -> None:
        """Members over time; exactly CAMPAIGN_NEW_MEMBERS join inside the campaign."""
        r = self.rng
        members: dict[int, int] = defaultdict(int)
        union_of = {c["enterprise_id"]: c["union_id"] for c in self.data.rows["union_coverage"]}
        covered = [e for e in self.ents if e.union_on is not None]
        # Before the campaign.
        for ent in covered:
            if ent.union_on < CAMPAIGN_START:
                j = int(ent.employees * r.uniform(0.55, 0.8))
                members[ent.id] += j
                self.data.add("membership_change", union_id=union_of[ent.id], enterprise_id=ent.id,
                              changed_on=ent.union_on, joined=j, left_count=0)
        # The campaign: allocate exactly the target, within each enterprise's room.
        pool = [e for e in covered if e.union_on <= CAMPAIGN_END]
        room = {e.id: e.employees - members[e.id] for e in pool}
        weights = {e.id: room[e.id] * r.uniform(0.8, 1.0) for e in pool}
        total_w = sum(weights.values())
        target = facts.CAMPAIGN_NEW_MEMBERS
        if sum(room.values()) < target:
            raise RuntimeError("demo plan has too few employees for the campaign's new members")
        alloc = {e.id: min(room[e.id], int(target * weights[e.id] / total_w)) for e in pool}
        left = target - sum(alloc.values())
        for e in sorted(pool, key=lambda e: e.id):
            if left == 0:
                break
            add = min(left, room[e.id] - alloc[e.id])
            alloc[e.id] += add
            left -= add
        for ent in pool:
            if alloc[ent.id] == 0:
                continue
            day = max(ent.union_on, CAMPAIGN_START)
            day = self.date_between(day, min(day + dt.timedelta(30), CAMPAIGN_END))
            members[ent.id] += alloc[ent.id]
            self.data.add("membership_change", union_id=union_of[ent.id], enterprise_id=ent.id,
                          changed_on=day, joined=alloc[ent.id], left_count=0)
        self._members = members
        self._union_of = union_of

    def yearly_membership(self) -> None:
        """From 2003 on: a yearly change per covered enterprise (and the first intake of new unions)."""
        r = self.rng
        cov = {c["enterprise_id"]: c for c in self.data.rows["union_coverage"]}
        for ent in sorted(self.ents, key=lambda e: e.id):
            if ent.union_on is None:
                continue
            c = cov[ent.id]
            end = ent.closed_on or self.today
            m = self._members.get(ent.id, 0)
            if ent.union_on > CAMPAIGN_END:  # founded after the campaign: first intake
                j = int(ent.employees * r.uniform(0.6, 0.9))
                m += j
                self.data.add("membership_change", union_id=c["union_id"], enterprise_id=ent.id,
                              changed_on=ent.union_on, joined=j, left_count=0)
            for year in range(max(2003, ent.union_on.year + 1), end.year + 1):
                day = self.date_between(D(year, 1, 1), min(D(year, 12, 31), end - dt.timedelta(1)))
                if day <= ent.union_on:
                    continue
                left = min(m, int(m * r.uniform(0.0, 0.08)))
                joined = min(ent.employees - (m - left), int(ent.employees * r.uniform(0.0, 0.1)))
                if joined == 0 and left == 0:
                    continue
                m += joined - left
                self.data.add("membership_change", union_id=c["union_id"], enterprise_id=ent.id,
                              changed_on=day, joined=joined, left_count=left)

    # ------------------------------------------------------------------ 2003 → today
    def after_snapshot(self) -> None:
        r, today = self.rng, self.today
        start = D(2003, 1, 1)
        models_ = {self.by_name[n].id for n in facts.MODEL_ENTERPRISES}
        for ent in list(self.ents):
            if ent.category in "CD" and r.random() < 0.7:
                self._party(ent, self.date_between(D(2003, 3, 1), min(D(2019, 12, 31), today)))
            if ent.category in "BD" and (ent.category == "B" or r.random() < 0.5):
                self._own_union_later(ent, self.date_between(start, min(D(2012, 12, 31), today)))
            if ent.category == "F" and r.random() < 0.6:
                self._liaison(ent, self.date_between(start, min(D(2010, 12, 31), today)))
            if ent.category == "G" and r.random() < 0.6:
                self._own_union_later(ent, self.date_between(start, min(D(2016, 12, 31), today)))
                if ent.union_on and r.random() < 0.6:
                    self._liaison(ent, self.date_between(ent.union_on, min(ent.union_on + dt.timedelta(200), today)))
        # New enterprises registered after 2002.
        township_codes = [c for c, _, _ in TOWNSHIPS]
        for year in range(2003, today.year + 1):
            for _ in range(r.randint(2, 6)):
                reg = self.date_between(D(year, 1, 1), min(D(year, 12, 31), today - dt.timedelta(5)))
                if reg > today:
                    continue
                cat = "N"
                members = r.choices((0, 1, 2, 3, 4, 6, 12), weights=(40, 15, 10, 12, 8, 6, 4))[0]
                ent = self._new_enterprise(r.choice(township_codes), cat, members=members, registered_on=reg,
                                           barrier=r.choice(list(Barrier)) if members >= 3 else None)
                if r.random() < 0.75:
                    u_on = reg + dt.timedelta(r.randint(30, 700))
                    if u_on < today:
                        self._own_union_later(ent, u_on)
                if members >= 3 and r.random() < 0.6:
                    p_on = reg + dt.timedelta(r.randint(100, 1500))
                    if p_on < today:
                        self._party(ent, p_on)
                elif ent.union_on and r.random() < 0.7:
                    l_on = ent.union_on + dt.timedelta(r.randint(0, 200))
                    if l_on < today:
                        self._liaison(ent, l_on)
        # Joint Party branches (联合党支部) from 2008 for small unionised enterprises with members.
        candidates = [e for e in self.ents if e.category == "E" and e.party_members > 0 and e.party_on is None]
        r.shuffle(candidates)
        by_township_c: dict[str, list[_Ent]] = defaultdict(list)
        for e in candidates:
            by_township_c[e.township].append(e)
        groups = [g[:4] for _, g in sorted(by_township_c.items()) if len(g) >= 3]  # one township per joint branch
        r.shuffle(groups)
        for k in range(3):
            group = groups[k] if k < len(groups) else []
            if not group or D(2008 + 3 * k, 7, 1) >= today:
                break
            founded = D(2008 + 3 * k, 7, 1)
            pid = self.data.add(
                "party_org", name=f"{dict((c, n) for c, n, _ in TOWNSHIPS)[group[0].township]}非公企业第{k + 1}联合党支部",
                level=PartyOrgLevel.JOINT_BRANCH.value, township_id=self.township_ids[group[0].township],
                enterprise_id=None, founded_on=founded, dissolved_on=None, secretary_name=self.person(),
            )
            for ent in group:
                ent.party_on, ent.party_org = founded, pid
                self.data.add("party_coverage", party_org_id=pid, enterprise_id=ent.id, start_on=founded, end_on=None)
                self._end_liaison(ent, founded)
        # A live campaign of this year: unions founded in the last weeks (progress against targets).
        self._closures(models_)

    def _own_union_later(self, ent: _Ent, founded: dt.date) -> None:
        founded = max(founded, ent.registered_on + dt.timedelta(1))
        if founded >= self.today or ent.union_on is not None:
            return
        name = self.data.rows["enterprise"][ent.id - 1]["name"]
        uid = self._union(UnionKind.ENTERPRISE, ent.township, founded, name=f"{name}工会", enterprise=ent)
        ent.own_union = uid
        self._cover_union(ent, uid, founded)

    def _end_liaison(self, ent: _Ent, day: dt.date) -> None:
        for row in self.data.rows["liaison_officer"]:
            if row["enterprise_id"] == ent.id and row["ended_on"] is None:
                row["ended_on"] = max(day, row["appointed_on"])

    def _closures(self, keep: set[int]) -> None:
        """About 7 % of enterprises close; everything covering them ends that day."""
        r, today = self.rng, self.today
        for ent in self.ents:
            if ent.id in keep or r.random() > 0.07:
                continue
            lo = max(D(2004, 1, 1), ent.registered_on + dt.timedelta(365))
            if lo >= today - dt.timedelta(60):
                continue
            closed = self.date_between(lo, today - dt.timedelta(60))
            latest = max(d for d in (ent.registered_on, ent.union_on, ent.party_on, ent.liaison_on) if d)
            if closed <= latest:
                continue
            ent.closed_on = closed
            self.data.rows["enterprise"][ent.id - 1]["closed_on"] = closed
            for table, key_end in (("union_coverage", "end_on"), ("party_coverage", "end_on"),
                                   ("liaison_officer", "ended_on")):
                for row in self.data.rows[table]:
                    if row["enterprise_id"] == ent.id and row[key_end] is None:
                        row[key_end] = closed
            for table in ("union_org", "party_org"):
                for row in self.data.rows[table]:
                    if row.get("enterprise_id") == ent.id and row["dissolved_on"] is None:
                        row["dissolved_on"] = closed

    # ------------------------------------------------------------------ campaigns
    def campaigns(self) -> None:
        r = self.rng
        cid = self.data.add("campaign", name="2002年百日攻坚", motto=facts.CAMPAIGN_MOTTO,
                            start_on=CAMPAIGN_START, end_on=CAMPAIGN_END)
        founded_by_township: dict[int, int] = defaultdict(int)
        for u in self.data.rows["union_org"]:
            if u["kind"] != UnionKind.FEDERATION.value and CAMPAIGN_START <= u["founded_on"] <= CAMPAIGN_END:
                founded_by_township[u["township_id"]] += 1
        ent_township = {e["id"]: e["township_id"] for e in self.data.rows["enterprise"]}
        joined_by_township: dict[int, int] = defaultdict(int)
        for m in self.data.rows["membership_change"]:
            if CAMPAIGN_START <= m["changed_on"] <= CAMPAIGN_END:
                joined_by_township[ent_township[m["enterprise_id"]]] += m["joined"]
        for name, codes, owner_unit in ZONES_2002:
            tids = [self.township_ids[c] for c in codes]
            unions = sum(founded_by_township[t] for t in tids)
            members = sum(joined_by_township[t] for t in tids)
            zid = self.data.add(
                "campaign_zone", campaign_id=cid, name=name, owner_name=self.person(),
                owner_unit_id=self.units[owner_unit],
                target_unions=int(round(unions * r.uniform(0.92, 1.05), -1)),
                target_members=int(round(members * r.uniform(0.92, 1.05), -2)),
                deadline=CAMPAIGN_END - dt.timedelta(days=r.choice((0, 0, 5, 10))),
            )
            for t in tids:
                self.data.add("campaign_zone_township", zone_id=zid, township_id=t)
        # This year's campaign, running now: started 60 days ago, ends in 40 days.
        start, end = self.today - dt.timedelta(60), self.today + dt.timedelta(40)
        cid = self.data.add("campaign", name=f"{self.today.year}年百日攻坚（新就业形态与小微企业）",
                            motto="聚焦新注册企业和小微企业，应建尽建", start_on=start, end_on=end)
        gaps = [e for e in self.ents if e.union_on is None and e.closed_on is None and e.registered_on < start]
        r.shuffle(gaps)
        for ent in gaps[:14]:
            self._own_union_later(ent, self.date_between(start, self.today - dt.timedelta(1)))
        halves = ([c for c, _, _ in TOWNSHIPS][:5], [c for c, _, _ in TOWNSHIPS][5:])
        for k, codes in enumerate(halves):
            zid = self.data.add(
                "campaign_zone", campaign_id=cid, name=("城区片", "乡镇片")[k], owner_name=self.person(),
                owner_unit_id=self.units["ZGH" if k == 0 else "ZZB"], target_unions=r.choice((12, 15, 18)),
                target_members=r.choice((300, 400, 500)), deadline=end - dt.timedelta(days=k * 10),
            )
            for c in codes:
                self.data.add("campaign_zone_township", zone_id=zid, township_id=self.township_ids[c])

    # ------------------------------------------------------------------ leads and notices
    def leads(self) -> None:
        """建会线索 of the six measures with their dated stages: every union founded after the 2002
        campaign came from a lead (盯住源头 for new registrations, 拓宽领域 for village enterprises, the
        others for the rest); most gap enterprises are open leads at some stage (a few with a founding
        notice past its deadline, some idle); leads of enterprises that closed were dropped; and
        projects not registered yet (预建通报, 调度招商) are recent leads or dropped older ones. Its own
        random stream, so the rest of the demo does not depend on it."""
        r, today = random.Random(self.seed * 31 + 7), self.today
        person = lambda: r.choice(SURNAMES) + "".join(r.choice(GIVEN) for _ in range(r.choice((1, 2))))  # noqa: E731
        first_union = {}
        for c in sorted(self.data.rows["union_coverage"], key=lambda c: c["start_on"]):
            first_union.setdefault(c["enterprise_id"], c["union_id"])
        others = (LeadSource.OPPORTUNITY, LeadSource.NOTICE_LEFT, LeadSource.PRE_NOTICE, LeadSource.INVESTMENT)
        for ent in self.ents:
            row = self.data.rows["enterprise"][ent.id - 1]
            village = bool(row["is_village"])
            if ent.union_on and ent.union_on > CAMPAIGN_END:
                src = (LeadSource.VILLAGE if village else
                       LeadSource.REGISTRATION if ent.category == "N" and r.random() < 0.6 else r.choice(others))
                before = src in (LeadSource.PRE_NOTICE, LeadSource.INVESTMENT)  # known before it registered
                ident = (ent.registered_on - dt.timedelta(r.randint(20, 150)) if before and ent.category == "N"
                         else max(ent.registered_on, ent.union_on - dt.timedelta(r.randint(25, 320))))
                ident = min(ident, ent.union_on - dt.timedelta(4))
                path = [LeadStage.CONTACTED]
                if src is LeadSource.NOTICE_LEFT or r.random() < 0.35:
                    path.append(LeadStage.NOTICE_SENT)
                path.append(LeadStage.PREPARING)
                self._lead(r, ent.id, row["name"], ent.township, src, ident, path, LeadStage.FOUNDED, ent.union_on,
                           union_id=first_union[ent.id], owner=person())
            elif ent.union_on is None and ent.closed_on is not None and ent.closed_on > D(2004, 1, 1) and r.random() < 0.5:
                ident = max(ent.registered_on, ent.closed_on - dt.timedelta(r.randint(60, 500)))
                if ident >= ent.closed_on - dt.timedelta(3):
                    continue
                path = [LeadStage.CONTACTED] + ([LeadStage.NOTICE_SENT] if r.random() < 0.4 else [])
                self._lead(r, ent.id, row["name"], ent.township, LeadSource.VILLAGE if village else r.choice(others),
                           ident, path, LeadStage.DROPPED, ent.closed_on, reason="企业已注销", owner=person())
            elif ent.union_on is None and ent.closed_on is None and (ent.registered_on > D(2015, 1, 1) or r.random() < 0.4):
                ident = self.date_between(max(ent.registered_on, today - dt.timedelta(400)), today - dt.timedelta(3))
                src = (LeadSource.VILLAGE if village else
                       LeadSource.REGISTRATION if ent.registered_on >= ident - dt.timedelta(30) else r.choice(others))
                path = [LeadStage.CONTACTED, LeadStage.NOTICE_SENT, LeadStage.PREPARING][:r.choice((0, 1, 1, 2, 2, 3))]
                if src is LeadSource.NOTICE_LEFT and LeadStage.NOTICE_SENT not in path:
                    path = [LeadStage.CONTACTED, LeadStage.NOTICE_SENT]
                self._lead(r, ent.id, row["name"], ent.township, src, ident, path, None, today, owner=person())
        # Projects not registered yet (预建通报, 调度招商, 把握契机): recent ones open, older ones dropped.
        township_codes = [c for c, _, _ in TOWNSHIPS]
        for _ in range(30):
            code = r.choice(township_codes)
            ident = self.date_between(D(2003, 1, 1), today - dt.timedelta(2))
            src = r.choice((LeadSource.PRE_NOTICE, LeadSource.PRE_NOTICE, LeadSource.INVESTMENT, LeadSource.INVESTMENT,
                            LeadSource.OPPORTUNITY))
            name = self.company_name(r.choice(INDUSTRIES)[0]).replace("吉林市", "（拟设）吉林市", 1)
            if ident > today - dt.timedelta(365):
                self._lead(r, None, name, code, src, ident, [LeadStage.CONTACTED][:r.randint(0, 1)], None, today,
                           owner=person(), note="尚未注册")
            else:
                self._lead(r, None, name, code, src, ident, [LeadStage.CONTACTED], LeadStage.DROPPED,
                           ident + dt.timedelta(r.randint(30, 200)), reason="项目未落地", owner=person(), note="尚未注册")

    def _lead(self, r: random.Random, enterprise_id: int | None, name: str, township: str, source: LeadSource,
              identified: dt.date, path: list[LeadStage], last: LeadStage | None, until: dt.date, *,
              union_id: int | None = None, reason: str | None = None, owner: str | None = None,
              note: str | None = None) -> None:
        """One lead: identified on ``identified``, through ``path``'s stages on increasing days, and
        closed as ``last`` on ``until`` (None: still open; ``until`` is then today and the stages are
        spread over the time so far, the last one possibly long ago — an idle lead)."""
        span = (until - identified).days
        days = sorted(r.sample(range(1, span), min(len(path), max(span - 1, 0))))
        stages = [(LeadStage.IDENTIFIED, identified)] + [(s, identified + dt.timedelta(d)) for s, d in zip(path, days)]
        if last is not None:
            stages.append((last, until))
        deadline = None
        for stage, day in stages:
            if stage is LeadStage.NOTICE_SENT:
                deadline = day + dt.timedelta(30)
        lead_id = self.data.add(
            "founding_lead", enterprise_id=enterprise_id, enterprise_name=name, township_id=self.township_ids[township],
            source=source.value, stage=stages[-1][0].value, identified_on=identified, notice_deadline=deadline,
            closed_on=until if last is not None else None, owner_unit_id=self.units[f"{township}_GH"], note=note,
            owner_name=owner, drop_reason=reason, stage_on=stages[-1][1], union_id=union_id,
            days_to_union=rules.days_to_union(stages[-1][0], identified, stages[-1][1]),
        )
        for k, (stage, day) in enumerate(stages):
            end = stages[k + 1][1] if k + 1 < len(stages) else None
            self.data.add("founding_lead_stage", lead_id=lead_id, stage=stage.value, start_on=day, end_on=end,
                          username="seed", at=dt.datetime.combine(day, dt.time(2, 0), tzinfo=dt.UTC))

    def notices(self) -> None:
        r, today = self.rng, self.today
        zgh, mqj = self.units["ZGH"], self.units["MQJ_DW"]
        for ent in self.ents:
            if ent.party_members >= 3 and ent.union_on and (ent.party_on is None or ent.party_on > ent.union_on):
                first = max(ent.union_on, D(2002, 9, 1))
                last = min(ent.party_on or today, ent.closed_on or today) - dt.timedelta(1)
                if last <= first:
                    continue
                if ent.party_on is None and ent.closed_on is None:  # still a gap today: a recent notice
                    first = max(first, today - dt.timedelta(150))
                sent = self.date_between(first, min(last, first + dt.timedelta(400)))
                self._notice(NoticeDirection.TO_BUREAU, ent, zgh, mqj, sent, ent.party_on)
            if ent.party_on and (ent.union_on is None or ent.union_on > ent.party_on) and ent.party_on >= D(2002, 1, 1):
                last = min(ent.union_on or today, ent.closed_on or today) - dt.timedelta(1)
                if last <= ent.party_on:
                    continue
                sent = self.date_between(ent.party_on, min(last, ent.party_on + dt.timedelta(300)))
                self._notice(NoticeDirection.TO_FEDERATION, ent, mqj, zgh, sent, ent.union_on)

    def _notice(self, direction, ent, from_u, to_u, sent, resolved_on) -> None:
        r, today = self.rng, self.today
        respond_by = sent + dt.timedelta(30)
        ack = sent + dt.timedelta(r.randint(2, 40))
        if ack > today or (sent > today - dt.timedelta(120) and r.random() < 0.5):
            ack = None
        if resolved_on is not None and ack is not None and resolved_on < ack:
            ack = resolved_on
        if resolved_on is not None and resolved_on > today:
            resolved_on = None
        self.data.add(
            "coordination_notice", direction=direction.value, enterprise_id=ent.id, from_unit_id=from_u,
            to_unit_id=to_u, sent_on=sent, respond_by=respond_by, acknowledged_on=ack, resolved_on=resolved_on,
            note=None,
        )

    # ------------------------------------------------------------------ joint meetings
    DECISIONS = (
        ("通报各乡镇街非公企业建会、建党组织情况，对应建未建企业逐户明确责任人", "对应建未建企业逐户上门，提交建组织计划"),
        ("推进协调通报制，双向通报名单按月更新", "整理本月双向通报名单并反馈处理结果"),
        ("在新注册企业中落实“盯住源头抓建会”，与工商登记同步", "对接工商登记信息，建立新注册企业台账"),
        ("选派党建联络员，覆盖无党员的已建会企业", "完成下派党建联络员选派并报区委组织部备案"),
        ("开展“双爱双评”评选活动", "组织各乡镇推荐“双爱双评”候选人"),
        ("推动荐优纳新推评制，工会推荐入党积极分子", "汇总各企业工会推荐的入党积极分子名单"),
        ("培树典型，总结推广德运公司等先进经验", "形成典型经验材料，组织现场观摩"),
        ("解决“五难”问题，对不愿建、不敢建企业开展政策宣讲", "对有关企业负责人开展《工会法》《党章》宣讲"),
    )

    def meetings(self) -> None:
        r, today = self.rng, self.today
        district_units = ("ZZB", "ZGH", "MQJ_DW")
        day = D(2002, 3, 20)
        n_in_year: dict[int, int] = defaultdict(int)
        meetings: list[dt.date] = []
        while day < today - dt.timedelta(20):
            meetings.append(day)
            day += dt.timedelta(r.randint(75, 200))
        if not meetings or meetings[-1] < today - dt.timedelta(100):
            meetings.append(today - dt.timedelta(r.randint(25, 60)))
        owners = ["ZZB", "ZGH", "MQJ_DW", "GSJ"] + [f"{c}_DW" for c, _, _ in TOWNSHIPS]
        for held in meetings:
            n_in_year[held.year] += 1
            mid = self.data.add(
                "joint_meeting", level=MeetingLevel.DISTRICT.value, held_on=held, enterprise_id=None, township_id=None,
                title=f"区级党工联席会议（{held.year}年第{n_in_year[held.year]}次）",
                agenda="1. 通报党建工建情况；2. 研究共建中存在的问题及解决办法；3. 部署下一阶段工作",
                minutes="会议由区委组织部、区总工会、区民营经济发展局党委共同召开，不定期通报党建工建状况。（演示数据）",
            )
            units = list(district_units) + r.sample(["GSJ", "MQJ", f"{r.choice(TOWNSHIPS)[0]}_DW"], r.randint(0, 2))
            for u in units:
                self.data.add("meeting_attendee", meeting_id=mid, unit_id=self.units[u], name=None)
            for text, action in r.sample(self.DECISIONS, r.randint(2, 4)):
                did = self.data.add("decision", meeting_id=mid, text=text)
                for _ in range(r.randint(1, 3)):
                    owner = r.choice(owners)
                    self._action(did, action, owner, held)

    def _action(self, decision_id: int, text: str, owner: str, held: dt.date) -> None:
        r, today = self.rng, self.today
        due = held + dt.timedelta(r.randint(20, 120))
        if due < today - dt.timedelta(365):
            status = ActionStatus.DONE
        elif due < today - dt.timedelta(90):
            status = ActionStatus.DONE if r.random() < 0.9 else r.choice((ActionStatus.OPEN, ActionStatus.IN_PROGRESS))
        else:
            status = r.choices(list(ActionStatus), weights=(30, 35, 35))[0]
        done_on = None
        if status is ActionStatus.DONE:
            done_on = min(today, max(held + dt.timedelta(3), due + dt.timedelta(r.randint(-25, 20))))
        unit_row = self.data.rows["unit"][self.units[owner] - 1]
        self.data.add(
            "action_item", decision_id=decision_id, description=text, owner_unit_id=self.units[owner],
            township_id=unit_row["township_id"], created_on=held, due_on=due, status=status.value, done_on=done_on,
        )

    def enterprise_meetings(self) -> None:
        r, today = self.rng, self.today
        models_ = {self.by_name[n].id for n in facts.MODEL_ENTERPRISES}
        for ent in self.ents:
            if not (ent.union_on and ent.party_on and ent.party_org):
                continue
            start = max(ent.union_on, ent.party_on)
            end = ent.closed_on or today
            ename = self.data.rows["enterprise"][ent.id - 1]["name"]
            porg = self.data.rows["party_org"][ent.party_org - 1]["name"]
            for year in range(start.year, end.year + 1):
                if r.random() > 0.5 and ent.id not in models_:  # the models meet every year
                    continue
                held = self.date_between(max(start, D(year, 1, 1)), min(end - dt.timedelta(1), D(year, 12, 31)))
                if held <= start or held >= end:
                    continue
                mid = self.data.add(
                    "joint_meeting", level=MeetingLevel.ENTERPRISE.value, held_on=held, enterprise_id=ent.id,
                    township_id=self.township_ids[ent.township], title=f"{ename}党工联席会议（{year}年）",
                    agenda="组织建设、活动计划、企业发展", minutes="就各自组织建设、活动计划、企业发展等重大问题交流思想。（演示数据）",
                )
                self.data.add("meeting_attendee", meeting_id=mid, unit_id=None, name=porg)
                self.data.add("meeting_attendee", meeting_id=mid, unit_id=None, name=f"{ename}工会")
                did = self.data.add("decision", meeting_id=mid, text=r.choice(("制订年度工会活动计划，由党组织讨论决定",
                                                                              "开展合理化建议和技术革新活动",
                                                                              "推荐优秀职工为入党积极分子")))
                self._action(did, "落实会议决定并报镇（街）党（工）委", f"{ent.township}_DW", held)

    # ------------------------------------------------------------------ honours, cases, activities, people
    def honours(self) -> None:
        r, today = self.rng, self.today
        dy = self.by_name[facts.DEYUN]
        for (title, level, organ, body), year in zip(facts.DEYUN_HONORS, (2001, 2002, 2002, 2001), strict=True):
            self.data.add("honor", enterprise_id=dy.id, title=title, level=level, awarding_body=body, year=year, organ=organ)
        titles = (
            ("先进基层党组织", Organ.PARTY, {"district": "中共##区委", "municipal": "中共吉林市委", "provincial": "中共吉林省委"}),
            ("先进职工之家", Organ.UNION, {"district": "##区总工会", "municipal": "吉林市总工会", "provincial": "吉林省总工会"}),
            ("模范职工之家", Organ.UNION, {"municipal": "吉林市总工会", "provincial": "吉林省总工会", "national": "中华全国总工会"}),
            ("和谐劳动关系企业", Organ.ENTERPRISE, {"district": "##区人民政府", "municipal": "吉林市人民政府"}),
            ("厂务公开民主管理示范单位", Organ.UNION, {"municipal": "吉林市总工会", "provincial": "吉林省总工会"}),
            ("工人先锋号", Organ.UNION, {"municipal": "吉林市总工会", "provincial": "吉林省总工会", "national": "中华全国总工会"}),
        )
        models_ = {self.by_name[n].id for n in facts.MODEL_ENTERPRISES}
        pool = [e for e in self.ents if e.party_on and e.union_on and e.id not in models_]
        r.shuffle(pool)
        self._honoured = []
        for ent in pool[:28]:
            for _ in range(r.randint(1, 3)):
                title, organ, bodies = r.choice(titles)
                level = r.choices(list(bodies), weights=[{"district": 50, "municipal": 30, "provincial": 12,
                                                          "national": 3}[k] for k in bodies])[0]
                first = max(ent.union_on, ent.party_on).year + 1
                last = (ent.closed_on or today).year
                if first > last:
                    continue
                self.data.add("honor", enterprise_id=ent.id, title=title, level=level, awarding_body=bodies[level],
                              year=r.randint(first, last), organ=organ.value)
                if level in ("municipal", "provincial", "national") and ent not in self._honoured:
                    self._honoured.append(ent)

    def case_studies(self) -> None:
        for name in facts.MODEL_ENTERPRISES:
            c = SOURCE_CASES[name]
            self.data.add("case_study", enterprise_id=self.by_name[name].id, from_source=True, **c)
        for ent, (hz, he, sz, se) in zip(self._honoured, DEMO_CASE_TEMPLATES):
            name = self.data.rows["enterprise"][ent.id - 1]["name"]
            self.data.add("case_study", enterprise_id=ent.id, from_source=False, headline_zh=hz, headline_en=he,
                          story_zh=sz.format(name=name), story_en=se.format(name=name))

    def designations(self) -> None:
        """Three of the source's four models hold no honour the source names (only 德运's are named):
        staff designate them, the reason citing the source (no random draw: the rest is unchanged)."""
        for name in MODEL_DESIGNATION_REASONS:
            self.data.add("model_designation", enterprise_id=self.by_name[name].id, designated=True,
                          reason=MODEL_DESIGNATION_REASONS[name], by_username="seed", at=MODEL_DESIGNATION_AT)

    def activities(self) -> None:
        r, today = self.rng, self.today
        deyun_plan = (
            [(t, ActivityKind.CULTURE_SPORTS, Season.SPRING_SUMMER, m) for t, m in
             (("消夏晚会", 7), ("水球赛", 6), ("钓鱼赛", 5), ("登山赛", 5))]
            + [(t, ActivityKind.CULTURE_SPORTS, Season.AUTUMN_WINTER, m) for t, m in
               (("联欢会", 12), ("拔河赛", 10), ("运动会", 9), ("台球赛", 11), ("雪地足球赛", 1))]
            + [("“三八”包饺子比赛", ActivityKind.WOMEN, None, 3),
               ("提高产品质量论文比赛", ActivityKind.ESSAY_CONTEST, None, 10)]
        )
        dy = self.by_name[facts.DEYUN]
        for year in range(1999, today.year + 1):
            for title, kind, season, month in deyun_plan:
                day = D(year, month, r.randint(3, 26))
                if day <= today:
                    self.data.add("activity", enterprise_id=dy.id, title=title, kind=kind.value,
                                  season=season.value if season else None, organ=Organ.UNION.value, held_on=day,
                                  participants=r.randint(30, 200))
        technical = (("合理化建议", ActivityKind.RATIONALISATION), ("技术革新", ActivityKind.TECH_INNOVATION),
                     ("岗位练兵", ActivityKind.SKILL_CONTEST), ("技术表演", ActivityKind.SKILL_CONTEST),
                     ("小指标劳动竞赛", ActivityKind.LABOUR_COMPETITION))
        for name in (facts.FANGTIAN, facts.HONGGUANG):
            ent = self.by_name[name]
            for year in range(2001, today.year + 1):
                for title, kind in technical:
                    day = D(year, r.randint(2, 11), r.randint(1, 28))
                    if day <= today:
                        self.data.add("activity", enterprise_id=ent.id, title=title, kind=kind.value, season=None,
                                      organ=Organ.UNION.value, held_on=day, participants=r.randint(10, 80))
        generic = technical + (("职工技能培训", ActivityKind.TRAINING), ("职工运动会", ActivityKind.CULTURE_SPORTS))
        pool = [e for e in self.ents if e.union_on]
        for _ in range(350):
            ent = r.choice(pool)
            end = ent.closed_on or today
            if ent.union_on >= end:
                continue
            title, kind = r.choice(generic)
            self.data.add("activity", enterprise_id=ent.id, title=title, kind=kind.value, season=None,
                          organ=r.choice((Organ.UNION, Organ.PARTY)).value,
                          held_on=self.date_between(ent.union_on, end - dt.timedelta(1)),
                          participants=r.randint(5, max(6, ent.employees)))

    def activists(self) -> None:
        """荐优纳新推评制: each person's path and the yearly admissions, from a random stream of their own
        (``seed_data.development``)."""
        from seed_data import development

        development.generate(self)

    def awards(self) -> None:
        """双爱双评: rounds, quotas and nominations from a random stream of their own (``seed_data.awards``)."""
        from seed_data import awards

        awards.generate(self)

    def info(self) -> None:
        for key, value in (("dataset", "demo"), ("seed", str(self.seed)), ("district_name", facts.DISTRICT_NAME),
                           ("generated_for", self.today.isoformat()), ("snapshot", facts.SNAPSHOT.isoformat())):
            self.data.add("dataset_info", key=key, value=value)
        # dataset_info has a text key, not an id
        for row in self.data.rows["dataset_info"]:
            row.pop("id", None)

    def build(self) -> DemoData:
        self.places()
        self.leading_group()
        self.snapshot_enterprises()
        self.snapshot_organisations()
        self.membership()
        self.after_snapshot()
        self.campaigns()
        self.yearly_membership()
        self.leads()
        self.notices()
        self.meetings()
        self.enterprise_meetings()
        self.honours()
        self.case_studies()
        self.designations()
        self.activities()
        self.activists()
        self.awards()
        self.info()
        return self.data


def build_demo(seed: int = DEFAULT_SEED, today: dt.date | None = None) -> DemoData:
    """All demo rows, per table, for this seed and date (deterministic, no database)."""
    return _Builder(seed, today or dt.date.today()).build()


def database_is_empty(engine: Engine) -> bool:
    with engine.connect() as conn:
        return not conn.execute(sa.text("SELECT 1 FROM township LIMIT 1")).first() and not conn.execute(
            sa.text("SELECT 1 FROM enterprise LIMIT 1")
        ).first()


def write_demo(engine: Engine, *, seed: int = DEFAULT_SEED, today: dt.date | None = None,
               progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Insert the demo district into an empty, migrated database, in one transaction."""
    if not database_is_empty(engine):
        raise DemoError("数据库中已有数据，未写入演示数据 / the database is not empty; demo data not written")
    data = build_demo(seed, today)
    with engine.begin() as conn:
        for table in SQLModel.metadata.sorted_tables:
            rows = data.rows.get(table.name)
            if not rows:
                continue
            for k in range(0, len(rows), 5000):
                conn.execute(table.insert(), rows[k:k + 5000])
            if progress:
                progress(table.name, len(rows))
        if conn.dialect.name == "postgresql":
            for table in SQLModel.metadata.sorted_tables:
                if "id" in table.c and data.rows.get(table.name) and table.c.id.autoincrement:
                    conn.execute(sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), (SELECT MAX(id) FROM {table.name}))"
                    ))
        counts = data.counts() | rebuild_summaries(conn, today=today)
        with Session(bind=conn) as session:  # joins this transaction (rollback_only)
            counts["app_user"] = add_demo_users(session)
            audit(session, "seed_demo", username=None, entity="dataset",
                  detail=f"seed={seed} today={today} enterprises={counts['enterprise']}")
            session.commit()
    return counts


#: Demo accounts (README, login page on the demo database): username, role, townships
def add_demo_users(session: Session) -> int:
    for username, role, name, township_codes in DEMO_USERS:
        create_user(session, username=username, password=DEMO_PASSWORD, role=role, display_name=name, townships=township_codes,
                    actor="seed")
    return len(DEMO_USERS)
