"""What the event forms of the ledger's detail (台账维护) say and offer (no Streamlit).

``available_events`` decides which events make sense for the enterprise today (a union can be
founded only without one, ended only with one…); the other functions give the words: the state
line above the forms, the labels of the pickers, the hint next to the Party organisation's level.
"""

from __future__ import annotations

from dashboard.edits import EDITORS
from dashboard.i18n import fmt_date, fmt_int, t
from dashboard.queries.upkeep import UpkeepOptions
from models.enums import Barrier, LiaisonKind, Ownership, PartyOrgLevel, Role

#: the order of the event picker
ORDER = ("census", "members", "union_found", "union_join", "union_end", "party_found", "party_join", "party_end",
         "liaison_appoint", "liaison_end", "barrier", "base_flags", "move", "close")

#: the levels an enterprise's own Party organisation may have (a joint branch is joined, not founded)
OWN_LEVELS = (PartyOrgLevel.COMMITTEE, PartyOrgLevel.GENERAL_BRANCH, PartyOrgLevel.BRANCH)


def can_edit(role: Role) -> bool:
    """Staff, township accounts and admins record events; a leader reads only."""
    return role in EDITORS


def available_events(opts: UpkeepOptions) -> list[str]:
    """The events that make sense for the enterprise now, in :data:`ORDER`; none once it is closed."""
    if opts.closed_on is not None:
        return []
    has_union, has_party = opts.union is not None, opts.party_org is not None
    allowed = {
        "census": True, "members": has_union, "union_found": not has_union,
        "union_join": not has_union and bool(opts.joint_unions), "union_end": has_union,
        "party_found": not has_party, "party_join": not has_party and bool(opts.joint_branches),
        "party_end": has_party, "liaison_appoint": True, "liaison_end": bool(opts.liaisons),
        "barrier": True, "base_flags": True, "move": bool(opts.townships), "close": True,
    }
    return [k for k in ORDER if allowed[k]]


def event_label(kind: str, loc: str) -> str:
    return t(f"upkeep.event.{kind}", loc)


def state_line(opts: UpkeepOptions, loc: str) -> str:
    """"工会：XX（自建，2019年3月1日起），会员 45 人 · 党组织：无 · 联络员：张三" — the facts the forms change."""
    if opts.union is None:
        union = t("upkeep.state.none", loc)
    else:
        how = t("upkeep.state.own" if opts.union["own"] else "upkeep.state.joint", loc)
        union = t("upkeep.state.union", loc, name=opts.union["name"], how=how, since=fmt_date(opts.union["start_on"], loc),
                  members=fmt_int(opts.members, loc))
    if opts.party_org is None:
        party = t("upkeep.state.none", loc)
    else:
        party = t("upkeep.state.party", loc, name=opts.party_org["name"], level=t(f"check.level.{opts.party_org['level']}", loc),
                  since=fmt_date(opts.party_org["start_on"], loc))
    liaison = "、".join(p["name"] for p in opts.liaisons) if opts.liaisons else t("upkeep.state.none", loc)
    return t("upkeep.state", loc, union=union, party=party, liaison=liaison,
             employees=fmt_int(opts.employees, loc), party_members=fmt_int(opts.party_members, loc))


def level_hint(opts: UpkeepOptions, loc: str) -> str:
    """What its Party members call for: "按 5 名正式党员，应建党支部" (or a liaison officer instead)."""
    if opts.expected_level is None:
        return t("upkeep.hint.level_none", loc, members=fmt_int(opts.party_members, loc))
    return t("upkeep.hint.level", loc, members=fmt_int(opts.party_members, loc),
             level=t(f"check.level.{opts.expected_level.value}", loc))


def level_options(loc: str) -> dict[str, str]:
    return {lv.value: t(f"check.level.{lv.value}", loc) for lv in OWN_LEVELS}


def default_level(opts: UpkeepOptions) -> str:
    return (opts.expected_level or PartyOrgLevel.BRANCH).value


def org_options(rows: list[dict]) -> dict[int, str]:
    """Joint unions or branches: "name（township）"."""
    return {int(r["id"]): f"{r['name']}（{r['township']}）" for r in rows}


def liaison_options(opts: UpkeepOptions, loc: str) -> dict[int, str]:
    kinds = liaison_kind_options(loc)
    return {int(r["id"]): f"{r['name']} · {kinds.get(r['kind'], r['kind'])} · {fmt_date(r['appointed_on'], loc)}"
            for r in opts.liaisons}


def liaison_kind_options(loc: str) -> dict[str, str]:
    return {k.value: t(f"upkeep.liaison_kind.{k.value}", loc) for k in LiaisonKind}


def barrier_options(loc: str) -> dict[str, str]:
    """"" (none: cleared) and the five barriers."""
    return {"": t("upkeep.barrier.none", loc), **{b.value: t(f"barrier.{b.value}", loc) for b in Barrier}}


def ownership_options(loc: str) -> dict[str, str]:
    return {o.value: t(f"upkeep.ownership.{o.value}", loc) for o in Ownership}


def township_options(opts: UpkeepOptions) -> dict[int, str]:
    return {int(r["id"]): r["name"] for r in opts.townships}


def unit_options(opts: UpkeepOptions) -> dict[int, str]:
    return {int(r["id"]): r["name"] for r in opts.units}
