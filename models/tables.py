"""SQLModel tables for the whole domain of DESIGN.md §4.

History is kept with dates: founding/dissolution, coverage periods, appointment periods,
so that every figure can be replayed "as of" any date. Coverage of an enterprise by a union
or a Party organisation is a row of ``union_coverage`` / ``party_coverage`` with a period,
which also expresses joint unions and joint branches that cover several enterprises.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models import enums as E


def _enum(enum_cls: type[Enum], *, nullable: bool = False, index: bool = False, check_name: str | None = None) -> Any:
    """A VARCHAR column with a CHECK constraint listing the enum's values (portable, no PG types);
    ``check_name`` keeps a stored constraint name when the enum class is renamed."""
    name = check_name or "ck_" + enum_cls.__name__.lower()
    return Field(
        sa_column=sa.Column(
            sa.Enum(
                enum_cls,
                native_enum=False,
                create_constraint=True,
                length=max(len(m.value) for m in enum_cls) + 4,
                values_callable=lambda e: [m.value for m in e],
                name=name,
                validate_strings=True,
            ),
            nullable=nullable,
            index=index,
        )
    )


def _fk(target: str, *, nullable: bool = False, index: bool = True, ondelete: str | None = None) -> Any:
    return Field(
        default=None if nullable else ...,
        sa_column=sa.Column(sa.Integer, sa.ForeignKey(target, ondelete=ondelete), nullable=nullable, index=index),
    )


def _text(nullable: bool = True) -> Any:
    return Field(default=None if nullable else ..., sa_column=sa.Column(sa.Text, nullable=nullable))


def _version() -> Any:
    """The row's version for optimistic concurrency: 1 when the row is written (by anything: the
    server default), raised by one on every update an edit makes (``dashboard.edits.update_row``),
    whose WHERE holds the version the person's form showed — so a save from an older form changes
    nothing and is refused. A table gets it by declaring ``version: int = _version()`` last, a
    migration adding the column with ``server_default="1"``, and an entry in :data:`VERSIONED`."""
    # the server default only: a Python-side default would add the column to every compiled INSERT,
    # also to the bulk loaders' positional ones (seed_data/scale.py) that do not name it
    return Field(default=1, sa_column=sa.Column(sa.Integer, nullable=False, server_default="1"))


def _period_check(start: str, end: str, name: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(f"{end} IS NULL OR {end} >= {start}", name=name)


def _nonneg(*cols: str, name: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(" AND ".join(f"{c} >= 0" for c in cols), name=name)


# --------------------------------------------------------------------------- places and units


class Township(SQLModel, table=True):
    __tablename__ = "township"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=12, unique=True)
    name: str = Field(max_length=40, unique=True)
    kind: E.TownshipKind = _enum(E.TownshipKind)
    sort_order: int = 0
    # GeoJSON geometry (Polygon/MultiPolygon) as text; None when no boundary is known.
    boundary_geojson: str | None = _text()
    boundary_is_schematic: bool = True


class Unit(SQLModel, table=True):
    """A department or committee: 组织部, 区总工会, 民企局党委, a township Party committee…"""

    __tablename__ = "unit"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=80)
    kind: E.UnitKind = _enum(E.UnitKind)
    township_id: int | None = _fk("township.id", nullable=True)


# --------------------------------------------------------------------------- enterprises


class Enterprise(SQLModel, table=True):
    __tablename__ = "enterprise"
    __table_args__ = (
        _nonneg("employees", "party_members", name="ck_enterprise_counts"),
        sa.CheckConstraint("party_members <= employees", name="ck_enterprise_members_le_employees"),
        _period_check("registered_on", "closed_on", "ck_enterprise_dates"),
        sa.Index("ix_enterprise_township_dates", "township_id", "registered_on", "closed_on"),
        # the ledger sorted by size: walk the index and stop after a page (0004)
        sa.Index("ix_enterprise_employees", "employees"),
        sa.Index("ix_enterprise_party_members", "party_members"),
    )
    id: int | None = Field(default=None, primary_key=True)
    uscc: str = Field(max_length=18, min_length=18, unique=True)  # 统一社会信用代码
    name: str = Field(max_length=120, index=True)
    township_id: int = _fk("township.id")
    is_village: bool = False  # 村级企业
    ownership: E.Ownership = _enum(E.Ownership)
    industry: str = Field(max_length=40)
    employees: int = 0
    party_members: int = 0  # formal Party members (正式党员)
    registered_on: dt.date = Field(index=True)
    closed_on: dt.date | None = Field(default=None, index=True)
    barrier: E.Barrier | None = _enum(E.Barrier, nullable=True)  # 五难, on gap enterprises
    legal_rep: str | None = Field(default=None, max_length=40)
    owner_is_party_member: bool = False
    version: int = _version()  # 0011: the ledger detail's event forms
    # 0025, 三有 (党建基数, docs/kpis.md): the enterprise has fixed premises (有固定经营场所) and really
    # trades (有正常经营活动) — their state as last verified; the staff criterion (有一定从业人员) is
    # the headcount as of a date against the setting ``base_min_employees``
    fixed_premises: bool = Field(default=True, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.true()))
    trading: bool = Field(default=True, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.true()))


class EnterpriseChange(SQLModel, table=True):
    """The dated history of what has no table of its own (0011): a move to another township
    (``before_value`` / ``after_value``: the township codes) and a barrier (五难) noted or cleared
    (the ``Barrier`` values, None for none). Who recorded it and when, for the ledger's history."""

    __tablename__ = "enterprise_change"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('moved', 'barrier')", name="ck_enterprise_change_kind"),
        sa.Index("ix_enterprise_change_enterprise", "enterprise_id", "changed_on"),
    )
    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: int = _fk("enterprise.id", index=False)
    kind: str = Field(max_length=20)
    changed_on: dt.date
    before_value: str | None = Field(default=None, max_length=80)
    after_value: str | None = Field(default=None, max_length=80)
    username: str = Field(max_length=40)
    at: dt.datetime  # aware, UTC


class HeadcountCensus(SQLModel, table=True):
    """One count of an enterprise's people on a date (人数统计), kept as history: the enterprise's
    own ``employees`` / ``party_members`` hold its latest census; earlier ones stay here (0009)."""

    __tablename__ = "headcount_census"
    __table_args__ = (
        _nonneg("employees", "party_members", name="ck_census_counts"),
        sa.UniqueConstraint("enterprise_id", "census_on", name="uq_census_enterprise_day"),
    )
    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: int = _fk("enterprise.id", index=False)
    census_on: dt.date
    employees: int
    party_members: int
    union_members: int | None = None
    batch_id: int | None = _fk("import_batch.id", nullable=True)


class ImportBatch(SQLModel, table=True):
    """One ledger import (who, when, which file, what it changed) and what undoing it takes (0009)."""

    __tablename__ = "import_batch"
    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(index=True)  # aware, UTC
    username: str = Field(max_length=40)
    filename: str = Field(max_length=200)
    sha256: str = Field(max_length=64, index=True)
    file_date: dt.date
    rows: int
    summary_json: str = _text(nullable=False)  # counts and the diff shown before writing
    undo_json: str = _text(nullable=False)  # rows inserted (ids) and rows updated (their values before)
    data_mark: str = Field(max_length=400)  # the ledger tables' state right after the import
    undone_at: dt.datetime | None = None
    undone_by: str | None = Field(default=None, max_length=40)


# --------------------------------------------------------------------------- unions


class UnionOrg(SQLModel, table=True):
    __tablename__ = "union_org"
    __table_args__ = (
        _period_check("founded_on", "dissolved_on", "ck_union_dates"),
        sa.CheckConstraint(
            "(kind = 'enterprise' AND enterprise_id IS NOT NULL) OR kind <> 'enterprise'",
            name="ck_union_enterprise_has_enterprise",
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    kind: E.UnionKind = _enum(E.UnionKind, index=True)
    township_id: int = _fk("township.id")
    enterprise_id: int | None = _fk("enterprise.id", nullable=True)  # own enterprise union
    federation_id: int | None = _fk("union_org.id", nullable=True)  # 工会联合会 it belongs to
    founded_on: dt.date = Field(index=True)
    dissolved_on: dt.date | None = None
    chair_name: str | None = Field(default=None, max_length=40)
    has_workers_congress: bool = False  # 职代会
    chair_is_party_secretary: bool = False  # 书记主席一肩挑


class UnionCoverage(SQLModel, table=True):
    """An enterprise covered by a union (its own, or a joint union) during a period."""

    __tablename__ = "union_coverage"
    __table_args__ = (
        _period_check("start_on", "end_on", "ck_union_coverage_dates"),
        sa.Index("ix_union_coverage_enterprise_period", "enterprise_id", "start_on", "end_on"),
    )
    id: int | None = Field(default=None, primary_key=True)
    union_id: int = _fk("union_org.id")
    enterprise_id: int = _fk("enterprise.id", index=False)
    start_on: dt.date
    end_on: dt.date | None = None


class MembershipChange(SQLModel, table=True):
    """Union members joining/leaving at an enterprise: members as of D = Σ(joined − left) up to D."""

    __tablename__ = "membership_change"
    __table_args__ = (
        _nonneg("joined", "left_count", name="ck_membership_counts"),
        sa.Index("ix_membership_enterprise_date", "enterprise_id", "changed_on"),
    )
    id: int | None = Field(default=None, primary_key=True)
    union_id: int = _fk("union_org.id")
    enterprise_id: int = _fk("enterprise.id", index=False)
    changed_on: dt.date = Field(index=True)
    joined: int = 0
    left_count: int = 0


# --------------------------------------------------------------------------- Party organisations


class PartyOrg(SQLModel, table=True):
    __tablename__ = "party_org"
    __table_args__ = (_period_check("founded_on", "dissolved_on", "ck_party_org_dates"),)
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    level: E.PartyOrgLevel = _enum(E.PartyOrgLevel, index=True)
    township_id: int = _fk("township.id")
    enterprise_id: int | None = _fk("enterprise.id", nullable=True)  # None for a joint branch
    founded_on: dt.date = Field(index=True)
    dissolved_on: dt.date | None = None
    secretary_name: str | None = Field(default=None, max_length=40)


class PartyCoverage(SQLModel, table=True):
    __tablename__ = "party_coverage"
    __table_args__ = (
        _period_check("start_on", "end_on", "ck_party_coverage_dates"),
        sa.Index("ix_party_coverage_enterprise_period", "enterprise_id", "start_on", "end_on"),
    )
    id: int | None = Field(default=None, primary_key=True)
    party_org_id: int = _fk("party_org.id")
    enterprise_id: int = _fk("enterprise.id", index=False)
    start_on: dt.date
    end_on: dt.date | None = None


class LiaisonOfficer(SQLModel, table=True):
    """党建联络员: the enterprise's own member, or dispatched (下派) by the township committee."""

    __tablename__ = "liaison_officer"
    __table_args__ = (
        _period_check("appointed_on", "ended_on", "ck_liaison_dates"),
        sa.CheckConstraint(
            "kind = 'own' OR dispatched_by_unit_id IS NOT NULL", name="ck_liaison_dispatched_has_unit"
        ),
        sa.Index("ix_liaison_enterprise_period", "enterprise_id", "appointed_on", "ended_on"),
    )
    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: int = _fk("enterprise.id", index=False)
    name: str = Field(max_length=40)
    kind: E.LiaisonKind = _enum(E.LiaisonKind)
    dispatched_by_unit_id: int | None = _fk("unit.id", nullable=True)
    appointed_on: dt.date
    ended_on: dt.date | None = None


# --------------------------------------------------------------------------- campaigns and leads


class Campaign(SQLModel, table=True):
    __tablename__ = "campaign"
    __table_args__ = (sa.CheckConstraint("end_on >= start_on", name="ck_campaign_dates"),)
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    motto: str | None = _text()
    start_on: dt.date
    end_on: dt.date
    version: int = _version()  # 0014: the campaigns page's forms


class CampaignZone(SQLModel, table=True):
    """划线设区: a zone with targets (锁定指标), an owner (分兵把口) and a deadline (保证时限)."""

    __tablename__ = "campaign_zone"
    __table_args__ = (_nonneg("target_unions", "target_members", name="ck_zone_targets"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = _fk("campaign.id", ondelete="CASCADE")
    name: str = Field(max_length=60)
    owner_name: str = Field(max_length=40)
    owner_unit_id: int = _fk("unit.id")
    target_unions: int
    target_members: int
    deadline: dt.date
    version: int = _version()  # 0014
    # 0015: Party organisations founded and liaison officers appointed in the zone (0: no target)
    target_party_orgs: int = Field(default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default="0"))
    target_liaisons: int = Field(default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default="0"))


class CampaignZoneTownship(SQLModel, table=True):
    __tablename__ = "campaign_zone_township"
    zone_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("campaign_zone.id", ondelete="CASCADE"), primary_key=True)
    )
    township_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("township.id"), primary_key=True))


class FoundingLead(SQLModel, table=True):
    """A lead for founding a union, from one of the six measures."""

    __tablename__ = "founding_lead"
    __table_args__ = (
        _period_check("identified_on", "closed_on", "ck_lead_dates"),
        _period_check("identified_on", "notice_deadline", "ck_lead_deadline"),
        # 0016: the pipeline's counts by township, measure and stage (queries.leads.pipeline) from the index alone
        sa.Index("ix_founding_lead_pipeline", "township_id", "source", "stage", "identified_on", "stage_on",
                 "notice_deadline"),
        # 0018: the medians of the days to a union in index order; the list's first page of open leads
        # (by the start of their stage) and of overdue notices (by deadline) without sorting them all
        *(sa.Index(name, *columns, sqlite_where=sa.text(where), postgresql_where=sa.text(where))
          for name, columns, where in (
              ("ix_founding_lead_days_township", ("township_id", "days_to_union"), "days_to_union IS NOT NULL"),
              ("ix_founding_lead_days_source", ("source", "days_to_union"), "days_to_union IS NOT NULL"),
              ("ix_founding_lead_days", ("days_to_union",), "days_to_union IS NOT NULL"),
              ("ix_founding_lead_open", ("stage_on", "id"), "stage NOT IN ('founded', 'dropped')"),
              ("ix_founding_lead_overdue", ("notice_deadline", "stage_on", "id"), "stage = 'notice_sent'"))),
    )
    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: int | None = _fk("enterprise.id", nullable=True)
    enterprise_name: str = Field(max_length=120)
    township_id: int = _fk("township.id")
    source: E.LeadSource = _enum(E.LeadSource, index=True)
    stage: E.LeadStage = _enum(E.LeadStage, index=True)
    identified_on: dt.date = Field(index=True)
    notice_deadline: dt.date | None = Field(default=None, index=True)  # 已发建会通知书: the deadline it gives
    closed_on: dt.date | None = None
    owner_unit_id: int | None = _fk("unit.id", nullable=True)  # None (0016): no union unit to own it yet
    note: str | None = _text()
    # 0016: the pipeline (建会线索): the owner's name, the reason of a 放弃, the day the current stage
    # began (the idle rule), the union a 已建会 lead led to, the row version of the page's forms
    owner_name: str | None = Field(default=None, max_length=40)
    drop_reason: str | None = _text()
    stage_on: dt.date = Field(index=True)
    union_id: int | None = Field(default=None, sa_column=sa.Column(
        sa.Integer, sa.ForeignKey("union_org.id", name="fk_lead_union"), nullable=True, index=True))
    version: int = _version()
    # 0018: whole days from identified_on to stage_on on a 已建会 lead, None on every other stage —
    # set by every writer with models.rules.days_to_union (the edits, the demo, the scale generator)
    days_to_union: int | None = None


class FoundingLeadStage(SQLModel, table=True):
    """One period a lead spent in a stage (0016): the stage from ``start_on`` until ``end_on`` (None:
    still in it). A lead's stage as of a date is the row whose period holds it; the periods of a lead
    follow each other without gaps, the first starting on the day the lead was identified."""

    __tablename__ = "founding_lead_stage"
    __table_args__ = (
        _period_check("start_on", "end_on", "ck_lead_stage_dates"),
        sa.Index("ix_founding_lead_stage_lead_id", "lead_id", "start_on"),
        sa.Index("ix_founding_lead_stage_stage_start", "stage", "start_on"),
    )
    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("founding_lead.id", ondelete="CASCADE"),
                                             nullable=False))
    stage: E.LeadStage = _enum(E.LeadStage)
    start_on: dt.date
    end_on: dt.date | None = None
    username: str = Field(max_length=40)
    at: dt.datetime  # aware, UTC


class CoordinationNotice(SQLModel, table=True):
    """协调通报制. Status is derived from the dates (sent → acknowledged → resolved)."""

    __tablename__ = "coordination_notice"
    __table_args__ = (
        _period_check("sent_on", "acknowledged_on", "ck_notice_ack"),
        _period_check("sent_on", "resolved_on", "ck_notice_resolved"),
        _period_check("sent_on", "respond_by", "ck_notice_respond_by"),
    )
    id: int | None = Field(default=None, primary_key=True)
    direction: E.NoticeDirection = _enum(E.NoticeDirection, index=True)
    enterprise_id: int = _fk("enterprise.id")
    from_unit_id: int = _fk("unit.id", index=False)
    to_unit_id: int = _fk("unit.id", index=False)
    sent_on: dt.date = Field(index=True)
    respond_by: dt.date
    acknowledged_on: dt.date | None = None
    resolved_on: dt.date | None = None
    note: str | None = _text()
    version: int = _version()


# --------------------------------------------------------------------------- joint meetings


class JointMeeting(SQLModel, table=True):
    __tablename__ = "joint_meeting"
    __table_args__ = (
        sa.CheckConstraint(
            "(level = 'enterprise' AND enterprise_id IS NOT NULL) OR (level = 'district' AND enterprise_id IS NULL)",
            name="ck_meeting_level_enterprise",
        ),
        sa.Index("ix_meeting_level_date", "level", "held_on"),
    )
    id: int | None = Field(default=None, primary_key=True)
    level: E.MeetingLevel = _enum(E.MeetingLevel)
    held_on: dt.date = Field(index=True)
    enterprise_id: int | None = _fk("enterprise.id", nullable=True)
    township_id: int | None = _fk("township.id", nullable=True)
    title: str = Field(max_length=120)
    agenda: str | None = _text()
    minutes: str | None = _text()


class MeetingAttendee(SQLModel, table=True):
    __tablename__ = "meeting_attendee"
    __table_args__ = (sa.CheckConstraint("unit_id IS NOT NULL OR name IS NOT NULL", name="ck_attendee_who"),)
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("joint_meeting.id", ondelete="CASCADE"), index=True, nullable=False)
    )
    unit_id: int | None = _fk("unit.id", nullable=True, index=False)
    name: str | None = Field(default=None, max_length=80)  # e.g. the enterprise's branch or union


class Decision(SQLModel, table=True):
    __tablename__ = "decision"
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("joint_meeting.id", ondelete="CASCADE"), index=True, nullable=False)
    )
    text: str = _text(nullable=False)


class ActionItem(SQLModel, table=True):
    __tablename__ = "action_item"
    __table_args__ = (
        sa.CheckConstraint("(status = 'done') = (done_on IS NOT NULL)", name="ck_action_done_on"),
        sa.Index("ix_action_status_due", "status", "due_on"),
        # covering index for overdue items per township as of a date
        sa.Index("ix_action_item_township_dates", "township_id", "due_on", "created_on", "done_on"),
    )
    id: int | None = Field(default=None, primary_key=True)
    decision_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("decision.id", ondelete="CASCADE"), index=True, nullable=False)
    )
    description: str = _text(nullable=False)
    owner_unit_id: int = _fk("unit.id")
    township_id: int | None = _fk("township.id", nullable=True)
    created_on: dt.date
    due_on: dt.date = Field(index=True)
    status: E.ActionStatus = _enum(E.ActionStatus)
    done_on: dt.date | None = None
    version: int = _version()




# --------------------------------------------------------------------------- people, honours, activities


class LeadingGroupMember(SQLModel, table=True):
    __tablename__ = "leading_group_member"
    __table_args__ = (_period_check("from_on", "to_on", "ck_group_member_dates"),)
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=40)
    position: str = Field(max_length=80)  # 区委主管书记, 副区长 …
    role: E.GroupRole = _enum(E.GroupRole)
    unit_id: int | None = _fk("unit.id", nullable=True)
    sort_order: int = 0
    from_on: dt.date
    to_on: dt.date | None = None
    version: int = _version()  # 0017: the group page's forms


class GroupDocument(SQLModel, table=True):
    """A document the leading group issued (0017): the 百日攻坚 实施方案, 关于做好党工共建工作的意见 …"""

    __tablename__ = "group_document"
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=120)
    doc_no: str | None = Field(default=None, max_length=40)  # 文号
    issuer: str = Field(max_length=80)
    issued_on: dt.date = Field(index=True)
    summary: str | None = _text()
    version: int = _version()


class Honour(SQLModel, table=True):
    __tablename__ = "honor"  # the stored name (0001); the code says honour
    __table_args__ = (sa.CheckConstraint("year >= 1949", name="ck_honor_year"),)
    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: int = _fk("enterprise.id")
    title: str = Field(max_length=80)
    level: E.HonourLevel = _enum(E.HonourLevel, index=True, check_name="ck_honorlevel")
    awarding_body: str = Field(max_length=80)
    year: int
    organ: E.Organ = _enum(E.Organ)


class CaseStudy(SQLModel, table=True):
    __tablename__ = "case_study"
    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("enterprise.id"), unique=True, nullable=False))
    headline_zh: str = Field(max_length=120)
    headline_en: str = Field(max_length=200)
    story_zh: str = _text(nullable=False)
    story_en: str = _text(nullable=False)
    from_source: bool = False  # one of the four enterprises of the source document


class ModelDesignation(SQLModel, table=True):
    """A staff decision to designate an enterprise as a model (典型) or to remove it, with a reason.

    History is kept: the newest row per enterprise is in force and overrides the computed rule
    (an honour at municipal level or above). Every write is also audited.
    """

    __tablename__ = "model_designation"
    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: int = _fk("enterprise.id")
    designated: bool  # True: designated a model; False: removed
    reason: str = _text(nullable=False)
    by_username: str = Field(max_length=40)
    at: dt.datetime  # aware, UTC


class Activity(SQLModel, table=True):
    __tablename__ = "activity"
    __table_args__ = (_nonneg("participants", name="ck_activity_participants"),)
    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: int = _fk("enterprise.id")
    title: str = Field(max_length=80)
    kind: E.ActivityKind = _enum(E.ActivityKind)
    season: E.Season | None = _enum(E.Season, nullable=True)
    organ: E.Organ = _enum(E.Organ)
    held_on: dt.date = Field(index=True)
    participants: int = 0


#: the order the dates of a development path must keep (migration 0019): every stage on or after the
#: recommendation, each step on or after the one before it where both are known
_ACTIVIST_ORDER = " AND ".join(
    f"({b} IS NULL OR {a} IS NULL OR {b} >= {a})" for a, b in (
        ("recommended_on", "activist_on"), ("recommended_on", "candidate_on"), ("recommended_on", "probationary_on"),
        ("recommended_on", "member_on"), ("recommended_on", "withdrawn_on"), ("recommended_on", "evaluated_on"),
        ("activist_on", "candidate_on"), ("candidate_on", "probationary_on"), ("probationary_on", "member_on")))


class ActivistRecommendation(SQLModel, table=True):
    """荐优纳新推评制, one row per person (migration 0019): recommended by a union on
    ``recommended_on``, then the date of each stage reached (None: not reached, or — rows migrated
    from before 0019 — not known), the worker representatives' evaluation (职工代表评议) of the
    development candidate, the exit. ``stage``/``stage_on`` are the latest stage and its date, kept by
    every edit (the stage on an earlier date is read from the dates: ``queries.development``)."""

    __tablename__ = "activist_recommendation"
    __table_args__ = (_period_check("recommended_on", "stage_on", "ck_activist_dates"),
                      sa.CheckConstraint(_ACTIVIST_ORDER, name="ck_activist_order"),
                      sa.CheckConstraint("(evaluated_on IS NULL) = (evaluation IS NULL)", name="ck_activist_evaluation"),
                      sa.Index("ix_activist_stage_on", "stage", "stage_on"),
                      sa.Index("ix_activist_recommended_on", "recommended_on"),
                      sa.Index("ix_activist_probationary_on", "probationary_on"))
    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: int = _fk("enterprise.id")
    person_name: str = Field(max_length=40)
    recommended_on: dt.date
    stage: E.ActivistStage = _enum(E.ActivistStage)
    stage_on: dt.date
    union_id: int | None = _fk("union_org.id", nullable=True)  # the recommending union
    activist_on: dt.date | None = None
    candidate_on: dt.date | None = None
    evaluated_on: dt.date | None = None
    evaluation: E.EvaluationResult | None = _enum(E.EvaluationResult, nullable=True)
    probationary_on: dt.date | None = None
    member_on: dt.date | None = None
    withdrawn_on: dt.date | None = None
    withdrawn_reason: str | None = Field(default=None, max_length=200)
    version: int = _version()


class PartyAdmission(SQLModel, table=True):
    """发展党员数: the new Party members (接收预备党员) of an enterprise in a year, whoever recommended
    them — the denominator of 经工会推荐发展的党员占比 (migration 0019). Recorded by staff and the
    township (``edits.development.record_admissions``)."""

    __tablename__ = "party_admission"
    __table_args__ = (sa.UniqueConstraint("enterprise_id", "year", name="uq_party_admission"),
                      _nonneg("admitted", name="ck_party_admission_admitted"),
                      sa.Index("ix_party_admission_year", "year", "enterprise_id", "admitted"))
    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: int = _fk("enterprise.id", index=False)
    year: int
    admitted: int
    version: int = _version()


class AwardRound(SQLModel, table=True):
    """双爱双评: one yearly round (0020) — nominations by the townships within their quotas until
    ``nominate_by``, evaluation by the federation's staff until ``evaluate_by``, the awards published
    on ``awarded_on``. ``status`` is the stage it is in (``AwardRoundStatus``)."""

    __tablename__ = "award_round"
    __table_args__ = (
        sa.CheckConstraint("nominate_by >= opened_on AND evaluate_by >= nominate_by", name="ck_award_round_dates"),
        sa.CheckConstraint("awarded_on IS NULL OR awarded_on >= opened_on", name="ck_award_round_awarded"),
        # 0023: the status and the days it began go together (on SQLite triggers of these names: 0023)
        sa.CheckConstraint("closed_on IS NULL OR closed_on >= opened_on", name="ck_award_round_closed"),
        sa.CheckConstraint("awarded_on IS NULL OR (closed_on IS NOT NULL AND awarded_on >= closed_on)",
                           name="ck_award_round_published"),
        sa.CheckConstraint("(status = 'nominating' AND closed_on IS NULL AND awarded_on IS NULL) OR "
                           "(status = 'evaluating' AND closed_on IS NOT NULL AND awarded_on IS NULL) OR "
                           "(status = 'awarded' AND closed_on IS NOT NULL AND awarded_on IS NOT NULL)",
                           name="ck_award_round_status"),
    )
    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(sa_column=sa.Column(sa.Integer, nullable=False, unique=True))
    title: str = Field(max_length=80)
    opened_on: dt.date
    nominate_by: dt.date
    evaluate_by: dt.date
    closed_on: dt.date | None = None  # 0023: the day the nominations were closed (评审中 from then)
    awarded_on: dt.date | None = None
    status: E.AwardRoundStatus = _enum(E.AwardRoundStatus)
    version: int = _version()


class AwardQuota(SQLModel, table=True):
    """双爱双评: how many of a category a township may nominate in a round (0020; none: 0)."""

    __tablename__ = "award_quota"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "township_id", "category", name="uq_award_quota"),
        _nonneg("quota", name="ck_award_quota"),
    )
    id: int | None = Field(default=None, primary_key=True)
    round_id: int = _fk("award_round.id", index=False)
    township_id: int = _fk("township.id", index=False)
    category: E.AwardCategory = _enum(E.AwardCategory)
    quota: int = 0
    version: int = _version()


class DoubleLoveAward(SQLModel, table=True):
    """双爱双评: 热爱企业的优秀职工 / 热爱职工的优秀经营者 — since 0020 one row per nomination of a
    round (``stage``: nominated → passed / rejected → awarded, or withdrawn); an award is a row at
    stage ``awarded``. ``year`` is its round's year (kept with the row, never changed), ``township_id``
    the township that nominated it (the enterprise's on the day: its quota)."""

    __tablename__ = "double_love_award"
    __table_args__ = (
        sa.CheckConstraint("stage_on >= nominated_on", name="ck_double_love_award_dates"),
        # 0023: an evaluated stage has its evaluation's day, between the nomination and the stage's day
        sa.CheckConstraint("(stage IN ('nominated', 'withdrawn') AND evaluated_on IS NULL) OR "
                           "(stage IN ('passed', 'rejected', 'awarded') AND evaluated_on IS NOT NULL "
                           "AND evaluated_on >= nominated_on AND stage_on >= evaluated_on)",
                           name="ck_double_love_award_evaluated"),
        # 0020: a round's progress per township and category (queries.awards.round_progress) from the index alone
        # (0023: with the evaluation's day, which the stage on a date reads)
        sa.Index("ix_double_love_award_progress", "round_id", "township_id", "category", "stage", "stage_on",
                 "nominated_on", "evaluated_on"),
        # 0020: the awards per township and per enterprise over all rounds
        sa.Index("ix_double_love_award_township", "stage", "township_id", "round_id", "category", "enterprise_id",
                 "year"),
        sa.Index("ix_double_love_award_enterprise", "stage", "enterprise_id", "round_id", "category", "year",
                 "township_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: int = _fk("enterprise.id")
    year: int = Field(index=True)
    category: E.AwardCategory = _enum(E.AwardCategory)
    person_name: str = Field(max_length=40)
    round_id: int = Field(sa_column=sa.Column(  # 0020
        sa.Integer, sa.ForeignKey("award_round.id", name="fk_double_love_award_round"), nullable=False))
    township_id: int = Field(sa_column=sa.Column(  # 0020
        sa.Integer, sa.ForeignKey("township.id", name="fk_double_love_award_township"), nullable=False))
    stage: E.NominationStage = _enum(E.NominationStage)  # 0020
    nominated_on: dt.date  # 0020
    stage_on: dt.date  # 0020: the day of its stage (an awarded row: the publication day)
    evaluated_on: dt.date | None = None  # 0023: the day of the evaluation's result (kept when awarded)
    note: str | None = _text()  # 0020: 主要事迹 (the nomination's citation)
    remark: str | None = _text()  # 0023: the evaluation's remark (评审意见)
    version: int = _version()  # 0020


# --------------------------------------------------------------------------- users, audit, metadata


class User(SQLModel, table=True):
    __tablename__ = "app_user"
    __table_args__ = (sa.CheckConstraint("failed_logins >= 0", name="ck_user_failed"),)
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=40, unique=True)
    display_name: str = Field(max_length=80)
    email: str | None = Field(default=None, max_length=120, unique=True)
    role: E.Role = _enum(E.Role)
    password_hash: str | None = Field(default=None, max_length=255)
    disabled: bool = False
    failed_logins: int = 0
    locked_until: dt.datetime | None = None  # aware, UTC
    created_at: dt.datetime  # aware, UTC
    must_change_password: bool = Field(default=False, sa_column=sa.Column(sa.Boolean, nullable=False,
                                                                        server_default=sa.false()))  # 0011
    version: int = _version()  # 0011: the admin page's account forms


class UserTownship(SQLModel, table=True):
    __tablename__ = "user_township"
    user_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True))
    township_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("township.id"), primary_key=True))


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(index=True)  # aware, UTC
    username: str | None = Field(default=None, max_length=40, index=True)
    action: str = Field(max_length=40)
    entity: str | None = Field(default=None, max_length=40)
    entity_id: str | None = Field(default=None, max_length=40)
    before_json: str | None = _text()
    after_json: str | None = _text()
    detail: str | None = _text()


class DatasetInfo(SQLModel, table=True):
    """Key/value facts about the dataset: ``is_demo``, ``district_name``, ``seed`` …"""

    __tablename__ = "dataset_info"
    key: str = Field(primary_key=True, max_length=40)
    value: str = Field(max_length=200)


class WebSession(SQLModel, table=True):
    """A signed-in browser (0022, ``models.sessions``): the SHA-256 of its random token — the cookie
    holds the token signed, the table never — its account, when it was made, when the browser got
    its cookie (once), last seen (the idle timeout), when it expires, when and why it was revoked."""

    __tablename__ = "web_session"
    __table_args__ = (sa.UniqueConstraint("token_hash", name="uq_web_session_token_hash"),)
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64)
    user_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("app_user.id", ondelete="CASCADE"),
                                             nullable=False, index=True))
    created_at: dt.datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False))
    bound_at: dt.datetime | None = Field(default=None, sa_column=sa.Column(sa.DateTime(timezone=True)))
    last_seen_at: dt.datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False))
    expires_at: dt.datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False))
    revoked_at: dt.datetime | None = Field(default=None, sa_column=sa.Column(sa.DateTime(timezone=True)))
    revoked_why: str | None = Field(default=None, max_length=40)


class KioskLink(SQLModel, table=True):
    """A kiosk link for the meeting-room screen (0022): ``/present?kiosk=<token>`` opens the big screen
    read-only without a password, limited to ``township_ids`` (JSON list; None: the whole district),
    until ``expires_at`` or until revoked. Only the token's SHA-256 is kept."""

    __tablename__ = "kiosk_link"
    __table_args__ = (sa.UniqueConstraint("token_hash", name="uq_kiosk_link_token_hash"),)
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64)
    label: str = Field(max_length=60)
    township_ids: str | None = _text()
    created_by: str = Field(max_length=40)
    created_at: dt.datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False))
    expires_at: dt.datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False))
    revoked_at: dt.datetime | None = Field(default=None, sa_column=sa.Column(sa.DateTime(timezone=True)))
    revoked_by: str | None = Field(default=None, max_length=40)
    last_used_at: dt.datetime | None = Field(default=None, sa_column=sa.Column(sa.DateTime(timezone=True)))
    version: int = _version()


class PushMessage(SQLModel, table=True):
    """A message the scheduled push sends (0021, ``dashboard.push``): ``key`` identifies it (kind,
    channel and period: a rerun finds it and never sends it twice); its figures are as of ``as_of``
    (``params``: JSON, e.g. the meeting of a brief); a failed attempt leaves it pending until
    ``next_attempt_at`` (back-off), the last one marks it failed (the admin page lists it)."""

    __tablename__ = "push_message"
    __table_args__ = (sa.UniqueConstraint("key", name="uq_push_message_key"),
                      sa.Index("ix_push_message_status_next", "status", "next_attempt_at"))
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200)
    channel: str = Field(max_length=60)
    kind: E.PushKind = _enum(E.PushKind)
    as_of: dt.date
    params: str | None = _text()
    subject: str | None = Field(default=None, max_length=200)
    status: E.PushStatus = _enum(E.PushStatus)
    attempts: int = Field(default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default="0"))
    created_at: dt.datetime = Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=False, index=True))
    next_attempt_at: dt.datetime | None = Field(default=None, sa_column=sa.Column(sa.DateTime(timezone=True)))
    sent_at: dt.datetime | None = Field(default=None, sa_column=sa.Column(sa.DateTime(timezone=True)))
    last_error: str | None = _text()


# --------------------------------------------------------------------------- derived summaries
# Rebuilt from the tables above by ``models.summary.rebuild_summaries`` (after seeding or any write
# that changes enterprises, coverage, liaison officers or memberships). The query layer uses them
# when ``dataset_info['summary_fingerprint']`` matches the data, and the exact SQL otherwise.

#: additive figures as of a date (DESIGN.md §3): the coverage counts and one count per pattern
STOCK_MEASURES = (
    "operating",
    "unionised",
    "with_party_org",
    "qualified",
    "qualified_with_party_org",
    "party_or_liaison_unionised",
    "employees_unionised",
    "members_unionised",
    *(f"pattern_{p.value}" for p in E.Pattern),
    "party_or_liaison",  # operating enterprises with a Party organisation or a liaison officer (0010)
    # 单独建立: covered by a union of its own / its own Party organisation (not a joint one) (0012);
    # 联合建立 is the difference from ``unionised`` / ``with_party_org``
    "unionised_own",
    "with_party_org_own",
)
#: flows, accumulated over time like the stocks: new grassroots unions, new members
FLOW_MEASURES = ("new_unions", "new_members")
#: the stocks again over the 三有 base (党建基数, 0025): ``sy_<measure>`` counts only the enterprises in
#: the base on that day (``dashboard.queries.coverage.in_base``); the flows count acts (foundings, members joining)
#: and have one figure whatever the base
BASE_PREFIX = "sy_"
BASE_MEASURES = tuple(BASE_PREFIX + m for m in STOCK_MEASURES)
SUMMARY_MEASURES = STOCK_MEASURES + FLOW_MEASURES + BASE_MEASURES


def _measure_columns() -> list[sa.Column]:
    return [sa.Column(m, sa.BigInteger, nullable=False, server_default="0") for m in SUMMARY_MEASURES]


coverage_delta = sa.Table(
    "coverage_delta",
    SQLModel.metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("township_id", sa.Integer, sa.ForeignKey("township.id"), primary_key=True),
    *_measure_columns(),
    comment="Changes of the additive coverage figures per township and day (stocks) and flows",
)

coverage_month = sa.Table(
    "coverage_month",
    SQLModel.metadata,
    sa.Column("month", sa.Date, primary_key=True),  # first day of the month
    sa.Column("township_id", sa.Integer, sa.ForeignKey("township.id"), primary_key=True),
    *_measure_columns(),
    comment="Figures accumulated through the end of each month (every month, every township)",
)

enterprise_state = sa.Table(
    "enterprise_state",
    SQLModel.metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprise.id"), nullable=False, index=True),
    sa.Column("township_id", sa.Integer, sa.ForeignKey("township.id"), nullable=False),
    sa.Column("pattern", sa.String(20), nullable=False),
    sa.Column("party_members", sa.Integer, nullable=False, server_default="0"),
    sa.Column("valid_from", sa.Date, nullable=False),
    sa.Column("valid_to", sa.Date, nullable=True),
    # in the 三有 base during the period (0025): a period ends when the pattern or this changes
    sa.Column("in_base", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Index("ix_enterprise_state_pattern", "pattern", "township_id", "valid_from", "valid_to"),
    # lists of one pattern, most Party members first, stop after the first N active rows
    sa.Index("ix_enterprise_state_pattern_members", "pattern", "party_members", "enterprise_id", "valid_from",
             "valid_to"),
    comment="Each enterprise's pattern over time: one row per period [valid_from, valid_to)",
)


#: the tables whose rows the pages update, each with a ``version`` column (migrations 0008, 0011, 0014); an edit
#: of another table's rows adds the column to it first
VERSIONED: tuple[sa.Table, ...] = (ActionItem.__table__, CoordinationNotice.__table__, Enterprise.__table__,
                                   User.__table__, Campaign.__table__, CampaignZone.__table__, FoundingLead.__table__,
                                   LeadingGroupMember.__table__, GroupDocument.__table__,
                                   AwardRound.__table__, AwardQuota.__table__, DoubleLoveAward.__table__,
                                   ActivistRecommendation.__table__, PartyAdmission.__table__, KioskLink.__table__)
