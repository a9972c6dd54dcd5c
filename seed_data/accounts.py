"""The demo's accounts (small on purpose: the login page imports it, not the demo generator)."""

from __future__ import annotations

from models.enums import Role
from seed_data import facts

#: (username, role, display name, township codes) of every account ``dangong seed demo`` writes
DEMO_USERS = (
    ("leader", Role.LEADER, "区领导（演示）", ()),
    ("staff", Role.STAFF, "区总工会工作人员（演示）", ()),
    ("admin", Role.ADMIN, "系统管理员（演示）", ()),
    ("yuebei", Role.TOWNSHIP, "越北镇党委（演示）", (facts.YUEBEI_CODE,)),
)
DEMO_PASSWORD = "demo2002"
