"""Enumerations of the domain (DESIGN.md §2, §4).

Values are stable lower-case English identifiers stored in the database; Chinese and
English labels come from the i18n catalogue (``dashboard/i18n``).
"""

from __future__ import annotations

from enum import StrEnum


class TownshipKind(StrEnum):
    TOWN = "town"  # 镇
    TOWNSHIP = "township"  # 乡
    SUBDISTRICT = "subdistrict"  # 街道


class Base(StrEnum):
    """党建基数: which operating enterprises the coverage figures count (issue 14, docs/kpis.md)."""

    SANYOU = "sanyou"  # 三有企业: fixed premises, really trading, ≥ N employees (the official base)
    ALL = "all"  # 全部在营企业: every registered, not closed enterprise (the seed facts' base)


class UnitKind(StrEnum):
    PARTY_DEPT = "party_dept"  # 区委组织部 etc.
    UNION = "union"  # 区总工会, 乡镇工会
    GOVERNMENT = "government"  # 工商局, 民企局
    BUREAU_PARTY = "bureau_party"  # 民营经济发展局党委
    TOWNSHIP_PARTY = "township_party"  # 乡镇街党(工)委
    OTHER = "other"


class Ownership(StrEnum):
    PRIVATE = "private"  # 私营
    RESTRUCTURED = "restructured"  # 改制企业
    JOINT_STOCK = "joint_stock"  # 股份制
    FOREIGN = "foreign"  # 外资/港澳台
    INDIVIDUAL = "individual"  # 个体


class Barrier(StrEnum):
    """The five difficulties (五难) explaining a missing Party organisation."""

    OWNER_UNWILLING = "owner_unwilling"  # 不愿建
    TOO_FEW_MEMBERS = "too_few_members"  # 不够建
    AFRAID = "afraid"  # 不敢建
    MEMBERS_UNWILLING = "members_unwilling"  # 不想建
    NO_CONSTRAINT = "no_constraint"  # 不好建


class UnionKind(StrEnum):
    ENTERPRISE = "enterprise"  # 企业工会
    JOINT = "joint"  # 联合工会 (several small enterprises)
    FEDERATION = "federation"  # 私营企业工会联合会
    OTHER = "other"  # 其他基层单位工会


class PartyOrgLevel(StrEnum):
    COMMITTEE = "committee"  # 党委 (100+ members)
    GENERAL_BRANCH = "general_branch"  # 党总支 (50+)
    BRANCH = "branch"  # 党支部 (3+)
    JOINT_BRANCH = "joint_branch"  # 联合党支部


class LiaisonKind(StrEnum):
    OWN = "own"  # the enterprise's own Party member
    DISPATCHED = "dispatched"  # 下派 by the township Party committee


class Pattern(StrEnum):
    """Exactly one per operating enterprise (DESIGN.md §2)."""

    UNION_AND_BRANCH = "union_and_branch"  # 一会一支
    UNION_AND_LIAISON = "union_and_liaison"  # 一会一员
    UNION_ONLY = "union_only"  # 仅有工会
    NO_UNION = "no_union"  # 未建会
    SHOULD_BUILD = "should_build"  # 应建未建


class LeadSource(StrEnum):
    """The six routine tracking measures (全程跟踪抓建会)."""

    OPPORTUNITY = "opportunity"  # 把握契机
    PRE_NOTICE = "pre_notice"  # 预建通报
    REGISTRATION = "registration"  # 盯住源头
    NOTICE_LEFT = "notice_left"  # 登门留帖
    INVESTMENT = "investment"  # 调度招商
    VILLAGE = "village"  # 拓宽领域


class LeadStage(StrEnum):
    IDENTIFIED = "identified"  # 已发现
    CONTACTED = "contacted"  # 已联系
    NOTICE_SENT = "notice_sent"  # 已留帖/已发通知
    PREPARING = "preparing"  # 筹建中
    FOUNDED = "founded"  # 已建会
    DROPPED = "dropped"  # 已放弃 (closed, moved away)


class NoticeDirection(StrEnum):
    TO_BUREAU = "to_bureau"  # 区总工会 → 民营局党委: unionised, qualifies for a Party organisation
    TO_FEDERATION = "to_federation"  # 民营局党委 → 区总工会: Party organisation, no union


class NoticeStatus(StrEnum):
    """Derived from a notice's dates (see ``rules.notice_status``)."""

    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class MeetingLevel(StrEnum):
    DISTRICT = "district"  # 区级联席会议
    ENTERPRISE = "enterprise"  # 企业级联席会议


class ActionStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class GroupRole(StrEnum):
    LEADER = "leader"  # 组长
    DEPUTY = "deputy"  # 副组长
    MEMBER = "member"  # 成员


class HonourLevel(StrEnum):
    DISTRICT = "district"  # 区级
    MUNICIPAL = "municipal"  # 市级
    PROVINCIAL = "provincial"  # 省级
    NATIONAL = "national"  # 全国


class Organ(StrEnum):
    """Which body of the enterprise an honour or activity belongs to."""

    PARTY = "party"
    UNION = "union"
    ENTERPRISE = "enterprise"


class ActivityKind(StrEnum):
    CULTURE_SPORTS = "culture_sports"  # 文体活动
    WOMEN = "women"  # 女职工委员会活动
    SKILL_CONTEST = "skill_contest"  # 岗位练兵/技术表演
    RATIONALISATION = "rationalisation"  # 合理化建议
    TECH_INNOVATION = "tech_innovation"  # 技术革新
    TRAINING = "training"  # 职工培训
    LABOUR_COMPETITION = "labour_competition"  # 小指标劳动竞赛
    ESSAY_CONTEST = "essay_contest"  # 论文比赛


class Season(StrEnum):
    SPRING_SUMMER = "spring_summer"  # 春夏季
    AUTUMN_WINTER = "autumn_winter"  # 秋冬季


class ActivistStage(StrEnum):
    """荐优纳新推评制 (issue 16 item 1, migration 0019): the union recommends a worker (工会推荐), the
    Party organisation makes them an activist (入党积极分子), then a development candidate (发展对象,
    whom worker representatives evaluate: ``EvaluationResult``), admits them as a probationary member
    (预备党员) and after the probation as a full member (正式党员) — or the person leaves the path
    (退出). Before 0019 a ``evaluated`` stage sat between 推荐 and 积极分子."""

    RECOMMENDED = "recommended"  # 工会推荐
    ACTIVIST = "activist"  # 入党积极分子
    CANDIDATE = "candidate"  # 发展对象
    PROBATIONARY = "probationary"  # 预备党员
    MEMBER = "member"  # 正式党员
    WITHDRAWN = "withdrawn"  # 退出


class EvaluationResult(StrEnum):
    """职工代表评议 of a development candidate (发展对象)."""

    PASSED = "passed"  # 同意
    FAILED = "failed"  # 不同意


class AwardCategory(StrEnum):
    """双爱双评."""

    WORKER = "worker"  # 热爱企业的优秀职工
    MANAGER = "manager"  # 热爱职工的优秀经营者


class AwardRoundStatus(StrEnum):
    """双爱双评: a round (one year) goes from nominations to evaluation to the published awards."""

    NOMINATING = "nominating"  # 推荐中: the townships nominate within their quotas
    EVALUATING = "evaluating"  # 评审中: nominations closed, staff record the evaluation
    AWARDED = "awarded"  # 已表彰: the results are published (awarded_on)


class NominationStage(StrEnum):
    """双爱双评: one nomination (a row of ``double_love_award``)."""

    NOMINATED = "nominated"  # 已推荐
    PASSED = "passed"  # 评审通过
    REJECTED = "rejected"  # 评审未通过
    AWARDED = "awarded"  # 已表彰
    WITHDRAWN = "withdrawn"  # 已撤回 (frees the quota)


class Role(StrEnum):
    LEADER = "leader"
    TOWNSHIP = "township"
    STAFF = "staff"
    ADMIN = "admin"


class PushKind(StrEnum):
    """What a pushed message carries (issue 20, ``dashboard.push``)."""

    BRIEF = "brief"  # the meeting brief before a district joint meeting, or on demand
    SUMMARY = "summary"  # the weekly or monthly summary of a recipient's scope
    REMINDER = "reminder"  # 督办: an owner unit's items due soon or overdue
    ESCALATION = "escalation"  # items overdue past the escalation days, to the staff channel
    TEST = "test"  # the admin page's test message


class PushStatus(StrEnum):
    PENDING = "pending"  # to send (again, after ``next_attempt_at`` when an attempt failed)
    SENDING = "sending"  # claimed by a run
    SENT = "sent"
    SKIPPED = "skipped"  # nothing to say that day (no item due for a reminder, none to escalate)
    FAILED = "failed"  # every attempt failed: reported on the admin page
