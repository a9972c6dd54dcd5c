"""The ledger file format: its sheets, their columns and the allowed values — defined once.

The template, the export, the import and the 说明 sheet all read this module, so a column cannot
be added to one and forgotten in another. Headers and value labels are the **file's** vocabulary
(stable, Chinese, what a township clerk types); the stored codes (``models.enums``) are accepted
too, so a file exported by another tool that writes codes also imports.

Keys of the rows (what makes a row in a later file "the same" row):
* 乡镇街道 by 区划代码; 企业 by 统一社会信用代码;
* 工会 by (类型, the enterprises it covers, 成立日期) — by (类型, 乡镇街道, 名称, 成立日期) when it
  covers none (其他基层工会, 工会联合会); 党组织 by (独立/联合, the enterprises, 成立日期);
* 联络员 by (企业, 姓名, 任职日期); 会员变动 by (企业, 日期).
Rows absent from a later file are left as they are (a township's file holds its part only):
closing, dissolving and ending are dates filled in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum

from models.enums import Barrier, LiaisonKind, Ownership, PartyOrgLevel, TownshipKind, UnionKind

# --------------------------------------------------------------------------- value labels

#: the file's label of every stored value (the first label is written; every label and the stored
#: code are read)
LABELS: dict[type[Enum], dict[Enum, tuple[str, ...]]] = {
    TownshipKind: {
        TownshipKind.TOWN: ("镇",),
        TownshipKind.TOWNSHIP: ("乡",),
        TownshipKind.SUBDISTRICT: ("街道", "街道办事处"),
    },
    Ownership: {
        Ownership.PRIVATE: ("私营", "私营企业"),
        Ownership.RESTRUCTURED: ("改制企业", "改制"),
        Ownership.JOINT_STOCK: ("股份制", "股份制企业"),
        Ownership.FOREIGN: ("外资及港澳台", "外资", "港澳台商投资", "外商投资"),
        Ownership.INDIVIDUAL: ("个体", "个体工商户"),
    },
    Barrier: {
        Barrier.OWNER_UNWILLING: ("老板不愿建", "不愿建"),
        Barrier.TOO_FEW_MEMBERS: ("党员少不够建", "不够建"),
        Barrier.AFRAID: ("怕被辞退不敢建", "不敢建"),
        Barrier.MEMBERS_UNWILLING: ("党员不想建", "不想建"),
        Barrier.NO_CONSTRAINT: ("缺乏制约不好建", "不好建"),
    },
    UnionKind: {
        UnionKind.ENTERPRISE: ("企业工会", "独立基层工会"),
        UnionKind.JOINT: ("联合工会", "联合基层工会"),
        UnionKind.FEDERATION: ("工会联合会", "私营企业工会联合会"),
        UnionKind.OTHER: ("其他基层工会", "其他"),
    },
    PartyOrgLevel: {
        PartyOrgLevel.COMMITTEE: ("党委",),
        PartyOrgLevel.GENERAL_BRANCH: ("党总支", "总支部"),
        PartyOrgLevel.BRANCH: ("党支部", "支部"),
        PartyOrgLevel.JOINT_BRANCH: ("联合党支部",),
    },
    LiaisonKind: {
        LiaisonKind.OWN: ("本企业党员联络员", "本企业党员", "联络员"),
        LiaisonKind.DISPATCHED: ("下派党建指导员", "下派", "党建指导员", "党建联络员(下派)"),
    },
}

YES = ("是", "有", "Y", "YES", "TRUE", "1", "√")
NO = ("否", "无", "N", "NO", "FALSE", "0", "×")


def label(value: Enum | None) -> str:
    """The label written to a file for a stored value ("" for none)."""
    if value is None:
        return ""
    return LABELS[type(value)][value][0]


def choices(enum_cls: type[Enum]) -> list[str]:
    """The labels offered in a drop-down list, in the enum's order."""
    return [LABELS[enum_cls][m][0] for m in enum_cls]


# --------------------------------------------------------------------------- columns and sheets

TEXT, CODE, USCC, NAME_OR_CODE, USCC_LIST, DATE, COUNT, BOOL, ENUM = (
    "text", "code", "uscc", "township", "uscc_list", "date", "count", "bool", "enum")


@dataclass(frozen=True)
class Column:
    key: str  # the field name of a parsed row
    header: str  # the Chinese header in the file (also accepted: header_en, key)
    kind: str  # one of the kinds above
    required: bool
    help_zh: str
    help_en: str
    header_en: str
    example: str = ""
    enum: type[Enum] | None = None
    max_len: int | None = None
    feeds: str = ""  # the KPI or page this field feeds (说明 sheet)
    blank_yes: bool = False  # a yes/no column whose blank cell reads 是 (the 三有 flags)

    def allowed_zh(self) -> str:
        """Allowed values as the 说明 sheet states them."""
        if self.kind == ENUM and self.enum is not None:
            return "、".join(choices(self.enum))
        return {
            DATE: "日期：2002-05-08、2002/5/8、2002.5.8、2002年5月8日 或 Excel 日期",
            COUNT: "不小于 0 的整数",
            BOOL: "是 / 否（空白为是）" if self.blank_yes else "是 / 否（空白为否）",
            USCC: "18 位统一社会信用代码（校验位按 GB 32100-2015 检查）",
            USCC_LIST: "统一社会信用代码，多个用分号（；）分隔；某家企业加入或退出的日期与本组织不同时写作 代码[2003-05-01~2008-01-01]",
            NAME_OR_CODE: "本文件或数据库中已有的乡镇街道名称或区划代码",
            CODE: "区划代码：字母或数字，最多 12 位（可用 12 位统计用区划代码）",
        }.get(self.kind, f"文字，最多 {self.max_len} 字" if self.max_len else "文字")


@dataclass(frozen=True)
class Sheet:
    key: str
    title: str  # the sheet's title in the workbook (and the CSV's file name)
    title_en: str
    help_zh: str
    help_en: str
    columns: tuple[Column, ...]
    required: bool = False  # a file need not carry every sheet: absent sheets change nothing
    aliases: tuple[str, ...] = field(default=())

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


C = Column

TOWNSHIPS = Sheet(
    "townships", "乡镇街道", "Townships",
    "本区的乡镇和街道。空数据库先由此表建立乡镇街道；已有的按区划代码对应，名称或类型不同则更新。",
    "The district's townships and subdistricts, keyed by code; an empty database is set up from this sheet.",
    (
        C("code", "区划代码", CODE, True, "乡镇街道的代码（可填 12 位统计用区划代码）", "Code (a 12-digit statistical code is accepted)",
          "Code", "330102001", max_len=12),
        C("name", "名称", TEXT, True, "乡镇街道名称，全区唯一", "Name, unique in the district", "Name", "越北镇", max_len=40,
          feeds="地图、排名、筛选"),
        C("kind", "类型", ENUM, True, "镇、乡或街道", "Town, township or subdistrict", "Kind", "镇", enum=TownshipKind),
        C("sort_order", "排序", COUNT, False, "在列表和排名中的顺序（可空）", "Order in lists (optional)", "Order", "1"),
    ),
    aliases=("乡镇", "乡镇（街道）", "乡镇街", "Townships"),
)

ENTERPRISES = Sheet(
    "enterprises", "企业", "Enterprises",
    "每家非公有制企业一行，按统一社会信用代码对应。人数为“人数统计日期”当天的数字；日期不同于上次导入的，记为一次新的人数统计，旧数字保留为历史。",
    "One row per non-public enterprise, keyed by its USCC. Headcounts are as of the census date; a new census date keeps the earlier figures as history.",
    (
        C("uscc", "统一社会信用代码", USCC, True, "18 位代码，企业的唯一标识", "18-character USCC, the enterprise's key", "USCC",
          "913301020000000193", max_len=18),
        C("name", "企业名称", TEXT, True, "营业执照上的名称", "Registered name", "Name", "某某热能有限公司", max_len=120),
        C("township", "乡镇街道", NAME_OR_CODE, True, "所在乡镇街道（名称或代码）", "Township (name or code)", "Township", "越北镇",
          feeds="按乡镇的全部数字"),
        C("is_village", "村级企业", BOOL, False, "是否村级企业", "Village enterprise?", "Village", "否"),
        C("ownership", "经济类型", ENUM, True, "登记的经济类型", "Ownership", "Ownership", "私营", enum=Ownership),
        C("industry", "行业", TEXT, False, "所属行业（可空）", "Industry (optional)", "Industry", "制造业", max_len=40),
        C("registered_on", "成立日期", DATE, True, "登记成立日期；此前不计入任何数字", "Registered on", "Registered", "1998-03-16",
          feeds="企业数（分母）"),
        C("closed_on", "注销日期", DATE, False, "注销或停业日期；当天起不再计入", "Closed on (from this day not counted)",
          "Closed", "", feeds="企业数（分母）"),
        C("employees", "从业人员数", COUNT, True, "人数统计日期的从业人员", "Employees on the census date", "Employees", "120",
          feeds="入会率的分母（已建会企业）"),
        C("party_members", "正式党员数", COUNT, True, "人数统计日期的正式党员（≥3 名应建党组织）",
          "Formal Party members on the census date (3 or more: should have a Party organisation)", "Party members",
          "5", feeds="应建党组织企业数、组建率"),
        C("union_members", "工会会员数", COUNT, False,
          "人数统计日期的工会会员（可空；与“会员变动”表及已有数字不同时，差额记为当天的入会或退会）",
          "Union members on the census date (optional; a difference from the history becomes a change on that day)",
          "Union members", "96", feeds="入会率"),
        C("census_on", "人数统计日期", DATE, True, "上面人数的统计日期", "Date of the headcounts above", "Census date",
          "2002-12-31"),
        C("barrier", "未建党组织原因", ENUM, False, "“五难”之一（可空）", "The barrier, one of the five (optional)", "Barrier",
          "", enum=Barrier, feeds="五难分析"),
        C("legal_rep", "法定代表人", TEXT, False, "（可空）", "(optional)", "Legal representative", "", max_len=40),
        C("owner_is_party_member", "出资人是党员", BOOL, False, "出资人（老板）是否党员", "Is the owner a Party member?",
          "Owner is a Party member", "否"),
        C("fixed_premises", "有固定经营场所", BOOL, False, "三有之一：是否有固定经营场所（空白为是）",
          "三有: has fixed premises? (blank: yes)", "Fixed premises", "是", feeds="党建基数（三有企业）", blank_yes=True),
        C("trading", "有正常经营活动", BOOL, False, "三有之一：是否正常经营、未歇业（空白为是）",
          "三有: really trading, not dormant? (blank: yes)", "Trading", "是", feeds="党建基数（三有企业）", blank_yes=True),
    ),
    required=False,
    aliases=("企业名录", "非公企业", "Enterprises"),
)

UNIONS = Sheet(
    "unions", "工会", "Unions",
    "每个工会组织一行：企业工会覆盖一家企业，联合工会覆盖多家，工会联合会和其他基层工会可不填企业。"
    "撤销的填撤销日期，不要删除该行。",
    "One row per union: an enterprise union covers one enterprise, a joint union several; a federation or "
    "other grassroots union may cover none. Fill the dissolution date rather than deleting the row.",
    (
        C("name", "工会名称", TEXT, True, "工会的名称", "Name", "Name", "某某热能有限公司工会委员会", max_len=120),
        C("kind", "工会类型", ENUM, True, "企业工会、联合工会、工会联合会或其他基层工会", "Kind", "Kind", "企业工会", enum=UnionKind,
          feeds="建会数（工会联合会单列）"),
        C("township", "乡镇街道", NAME_OR_CODE, True, "所在乡镇街道（名称或代码）", "Township (name or code)", "Township", "越北镇"),
        C("enterprises", "覆盖企业", USCC_LIST, False,
          "覆盖企业的统一社会信用代码：企业工会一家，联合工会多家", "USCC of the enterprises covered", "Enterprises covered",
          "913301020000000193", feeds="建会率、入会率"),
        C("founded_on", "成立日期", DATE, True, "工会成立日期", "Founded on", "Founded", "1999-06-01", feeds="建会率、新建工会数"),
        C("dissolved_on", "撤销日期", DATE, False, "撤销日期（可空）；当天起不再覆盖", "Dissolved on (optional)", "Dissolved", ""),
        C("federation", "所属工会联合会", TEXT, False, "所属工会联合会的名称（本文件或数据库中已有）", "Federation it belongs to (name)",
          "Federation", "", max_len=120),
        C("chair_name", "工会主席", TEXT, False, "（可空）", "(optional)", "Chair", "", max_len=40),
        C("has_workers_congress", "建立职代会", BOOL, False, "是否建立职工代表大会制度", "Workers' congress?", "Workers' congress", "是"),
        C("chair_is_party_secretary", "书记主席一肩挑", BOOL, False, "工会主席是否兼任党组织书记", "Chair is also Party secretary?",
          "Chair is secretary", "否"),
    ),
    aliases=("工会组织", "Unions"),
)

PARTY_ORGS = Sheet(
    "party_orgs", "党组织", "Party organisations",
    "每个党组织一行：单独建立的党委、党总支、党支部覆盖一家企业，联合党支部覆盖多家（一般不超过 5 家）。",
    "One row per Party organisation: a committee, general branch or branch of one enterprise, or a joint "
    "branch of several.",
    (
        C("name", "党组织名称", TEXT, True, "党组织的名称", "Name", "Name", "某某热能有限公司党支部", max_len=120),
        C("level", "党组织类别", ENUM, True, "党委（100 名党员以上）、党总支（50 名以上）、党支部（3 名以上）或联合党支部",
          "Level", "Level", "党支部", enum=PartyOrgLevel, feeds="党组织覆盖率、组建率"),
        C("township", "乡镇街道", NAME_OR_CODE, True, "所在乡镇街道（名称或代码）", "Township (name or code)", "Township", "越北镇"),
        C("enterprises", "覆盖企业", USCC_LIST, True, "覆盖企业的统一社会信用代码", "USCC of the enterprises covered",
          "Enterprises covered", "913301020000000193", feeds="党组织覆盖率"),
        C("founded_on", "成立日期", DATE, True, "党组织成立日期", "Founded on", "Founded", "2001-07-01"),
        C("dissolved_on", "撤销日期", DATE, False, "撤销日期（可空）", "Dissolved on (optional)", "Dissolved", ""),
        C("secretary_name", "书记", TEXT, False, "（可空）", "(optional)", "Secretary", "", max_len=40),
    ),
    aliases=("党组织建设", "Party organisations"),
)

LIAISONS = Sheet(
    "liaisons", "联络员", "Liaison officers",
    "未建党组织企业的党建联络员或下派党建指导员，每次任职一行；离任的填离任日期。",
    "Liaison officers (the enterprise's own Party member) and dispatched Party-building instructors, one row "
    "per appointment.",
    (
        C("uscc", "统一社会信用代码", USCC, True, "所联系企业的代码", "USCC of the enterprise", "USCC", "913301020000000193",
          max_len=18),
        C("name", "姓名", TEXT, True, "联络员或指导员姓名", "Name", "Name", "张某", max_len=40),
        C("kind", "类型", ENUM, True, "本企业党员联络员，或由乡镇党委下派的党建指导员", "Own member or dispatched", "Kind",
          "下派党建指导员", enum=LiaisonKind, feeds="一会一员、工作覆盖率"),
        C("unit", "派出单位", TEXT, False, "下派的单位名称（空白：企业所在乡镇的党（工）委）",
          "Dispatching unit (blank: the township's Party committee)", "Dispatched by", "越北镇党委", max_len=80),
        C("appointed_on", "任职日期", DATE, True, "开始联系企业的日期", "Appointed on", "Appointed", "2002-03-01"),
        C("ended_on", "离任日期", DATE, False, "（可空）", "Ended on (optional)", "Ended", ""),
    ),
    aliases=("联络员/党建指导员", "党建指导员", "Liaison officers"),
)

MEMBERSHIP = Sheet(
    "membership", "会员变动", "Membership changes",
    "（可选）各企业工会会员的入会、退会记录，用于按任意日期回看会员数。不填时，会员数取“企业”表的工会会员数。",
    "(Optional) Union members joining and leaving per enterprise and day, so members can be replayed as of any date.",
    (
        C("uscc", "统一社会信用代码", USCC, True, "企业的代码", "USCC of the enterprise", "USCC", "913301020000000193", max_len=18),
        C("changed_on", "日期", DATE, True, "变动日期", "Date", "Date", "2002-06-30"),
        C("joined", "入会人数", COUNT, False, "当天入会人数", "Joined that day", "Joined", "12", feeds="新发展会员数、入会率"),
        C("left", "退会人数", COUNT, False, "当天退会人数", "Left that day", "Left", "0", feeds="入会率"),
    ),
    aliases=("会员", "Membership changes"),
)

SHEETS: tuple[Sheet, ...] = (TOWNSHIPS, ENTERPRISES, UNIONS, PARTY_ORGS, LIAISONS, MEMBERSHIP)
EXPLANATION_TITLE = "说明"

#: the date formats accepted (the 说明 sheet and the error messages list them)
DATE_FORMATS_ZH = "2002-05-08、2002/5/8、2002.5.8、2002年5月8日、20020508 或 Excel 日期"
#: the earliest and latest date a ledger cell may hold
EARLIEST = dt.date(1949, 10, 1)


def sheet_for(title: str) -> Sheet | None:
    """The sheet a workbook tab or a CSV file name stands for: its title, English title or an alias,
    also inside a longer name ("台账-企业", "ledger_Enterprises")."""
    text = (title or "").strip()
    for sheet in SHEETS:
        names = (sheet.title, sheet.title_en, sheet.key, *sheet.aliases)
        if text in names or text.casefold() in {n.casefold() for n in names}:
            return sheet
    for sheet in SHEETS:  # a longer name ending with the title: "台账-企业", "2024_企业"
        for name in (sheet.title, sheet.title_en):
            for sep in ("-", "_", " ", "—", "（", "("):
                if text.casefold().endswith((sep + name).casefold()):
                    return sheet
    return None


def header_map(sheet: Sheet) -> dict[str, Column]:
    """Every accepted header of a sheet's columns: Chinese, English, the field key."""
    out: dict[str, Column] = {}
    for col in sheet.columns:
        for name in (col.header, col.header_en, col.key):
            out[normal_header(name)] = col
        if col.required:
            out[normal_header(col.header + "*")] = col
    return out


def normal_header(text: str) -> str:
    """Headers compare without spaces, case, a trailing ``*`` (required marker) or full-width forms."""
    import unicodedata

    value = unicodedata.normalize("NFKC", str(text or "")).strip()
    value = "".join(value.split()).rstrip("*").casefold()
    return value


def known_headers() -> set[str]:
    """Every header the format knows, normalised (the CSV reader decides an encoding with it)."""
    return {h for sheet in SHEETS for h in header_map(sheet)}
