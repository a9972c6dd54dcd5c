"""The seed facts of DESIGN.md §5 — the one place they are written down.

The demo generator builds data that reproduces them and the tests check them through the
query/rule functions (never by re-reading these constants as the result).
"""

from __future__ import annotations

import datetime as dt

#: The snapshot date at which every fact below holds (end of the 2002 campaign year).
SNAPSHOT = dt.date(2002, 12, 31)

DISTRICT_NAME = "##区（演示）"
CITY_NAME = "吉林市"
#: Administrative division code used in demo USCCs (fictional district of 吉林市 2202xx).
DIVISION_CODE = "220299"

# 1. The 2002 campaign (百日攻坚)
CAMPAIGN_NAME = "百日攻坚"
CAMPAIGN_MOTTO = "划线设区，全面攻坚；锁定指标，分兵把口；专职专责，保证时限"
CAMPAIGN_YEAR = 2002
CAMPAIGN_NEW_GRASSROOTS_UNIONS = 916  # 新建各类基层工会组织
CAMPAIGN_NEW_FEDERATIONS = 3  # 私营企业工会联合会
CAMPAIGN_NEW_MEMBERS = 24_516  # 发展会员

# 2.–3. District coverage as of SNAPSHOT
UNIONISED_ENTERPRISES = 585  # 非公企业建起工会组织
QUALIFIED_WITH_PARTY_ORG = 52  # 具备条件（≥3 名党员）且建起党委/总支/支部

# 4. 越北镇
YUEBEI_NAME = "越北镇"
YUEBEI_CODE = "YB"
YUEBEI_UNIONISED = 37
YUEBEI_WITH_BRANCH = 7
YUEBEI_WITH_LIAISON = 30  # own member where they have one, else dispatched by the town committee

# 5.–6. The four model enterprises of the source
DEYUN = "吉林德运公司"
HENGTONG = "吉林市恒通高压电气有限责任公司"
FANGTIAN = "吉林市方田水泵有限公司"
HONGGUANG = "吉林市红光热能设备有限责任公司"
MODEL_ENTERPRISES = (DEYUN, HENGTONG, FANGTIAN, HONGGUANG)

HONGGUANG_UNION_YEAR = 1999  # 工会委员会
HONGGUANG_BRANCH_YEAR = 2001  # 党支部
HONGGUANG_OWNER_IS_PARTY_MEMBER = False  # 老板不是党员
# the branch secretary, a hired Party member, is also the union chair: 书记主席一肩挑

#: 德运: Party general branch first, then the union; its honours (title, level, organ, body).
DEYUN_HONORS = (
    ("先进基层党组织", "district", "party", "中共##区委"),
    ("先进企业", "municipal", "enterprise", "吉林市人民政府"),
    ("模范职工之家", "provincial", "union", "吉林省总工会"),
    ("五星级样板职代会", "municipal", "union", "吉林市总工会"),
)

# 7. The leading group (领导小组) and the district joint meeting
LEADING_GROUP = (
    # (position, role)
    ("区委主管书记", "leader"),
    ("联系工会工作的副区长", "deputy"),
    ("区委组织部部长", "deputy"),
    ("区人大副主任", "deputy"),
    ("区总工会主席", "deputy"),
)
#: Units the leading group coordinates (统揽).
COORDINATED_UNITS = ("区委组织部", "区总工会", "区工商局", "区民营经济发展局")
#: The district-level joint meeting's three bodies.
DISTRICT_MEETING_UNITS = ("区委组织部", "区总工会", "区民营经济发展局党委")

#: The six measures and the five difficulties, as the source names them.
SIX_MEASURES = ("把握契机", "预建通报", "盯住源头", "登门留帖", "调度招商", "拓宽领域")
FIVE_DIFFICULTIES = ("不愿建", "不够建", "不敢建", "不想建", "不好建")
