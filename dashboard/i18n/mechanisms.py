"""荐优纳新 and 双爱双评 since the last district meeting (issue 16 item 4): the brief's section and the
big screen's slide (``views.mechanisms``)."""

from __future__ import annotations

ZH: dict[str, str] = {
    "brief.section.mechanisms": "七、荐优纳新与双爱双评",
    "brief.section.mechanisms.part": "{section}：{part}",
    "present.slide.mechanisms": "荐优纳新与双爱双评",
    "mech.empty": "本期无新的推荐和表彰。",
    "mech.period": "统计期间：上次区级联席会议（{date}）以来，至 {until}。",
    "mech.period.first": "统计期间：此前没有区级联席会议，为截至 {until} 的全部记录。",
    "mech.part.development": "荐优纳新推评",
    "mech.part.awards": "双爱双评",
    "mech.dev.title": "荐优纳新推评",
    "mech.awards.title": "双爱双评",
    "mech.dev.line": "荐优纳新：各企业工会推荐入党积极分子人选 {recommended} 人；确定为入党积极分子 {activist} 人，"
                     "列为发展对象 {candidate} 人，接收为预备党员 {probationary} 人，转为正式党员 {member} 人，退出 {withdrawn} 人。",
    "mech.dev.evaluated": "职工代表评议发展对象 {evaluated} 人，其中同意 {passed} 人。",
    "mech.dev.share": "{year}年非公有制企业新发展党员 {total} 人，其中经工会推荐 {union} 人，占 {share}。",
    "mech.dev.share.unrecorded": "另有 {n} 人所在企业未登记当年发展党员数，未计入。",
    "mech.dev.share.none": "{year}年未登记非公有制企业新发展党员数，经工会推荐接收预备党员 {union} 人。",
    "mech.dev.stuck": "目前在培养中 {open} 人，其中超期滞留 {stuck} 人。",
    "mech.awards.line": "双爱双评：新推荐 {nominations} 人（不含已撤回）。",
    "mech.awards.opened": "{years}年度评选启动",
    "mech.awards.published": "{years}年度评选结果公布",
    "mech.awards.rounds": "{what}。",
    "mech.awards.result": "本期公布表彰热爱企业的优秀职工 {worker} 名、热爱职工的优秀经营者 {manager} 名，涉及企业 {enterprises} 家；"
                          "各乡镇/街道获表彰人数如下：",
    "mech.awards.no_result": "本期未公布表彰结果。",
    "mech.awards.round_now": "当前评选：{year}年度（{state}）。",
    "mech.status.stuck": "有超期滞留",
    "mech.status.no_stuck": "无超期滞留",
    "mech.col.worker": "优秀职工",
    "mech.col.manager": "优秀经营者",
    "mech.col.total": "合计",
    "mech.tile.recommended": "工会推荐",
    "mech.tile.recommended.detail": "确定为入党积极分子 {activist} 人",
    "mech.tile.candidate": "列为发展对象",
    "mech.tile.candidate.detail": "职工代表评议 {evaluated} 人，同意 {passed} 人",
    "mech.tile.probationary": "接收预备党员",
    "mech.tile.probationary.detail": "转为正式党员 {member} 人",
    "mech.tile.share": "工会推荐发展党员占比",
    "mech.tile.share.detail": "{year}年 {union} / {total} 人",
    "mech.tile.stuck": "超期滞留",
    "mech.tile.stuck.detail": "在培养中 {open} 人",
    "mech.tile.nominations": "新推荐",
    "mech.tile.nominations.detail": "不含已撤回",
    "mech.tile.worker": "热爱企业的优秀职工",
    "mech.tile.manager": "热爱职工的优秀经营者",
    "mech.tile.awarded.detail": "本期公布",
    "mech.tile.top": "获表彰人数最多的乡镇/街道",
    "mech.unit.people": "{n} 人",
    "mech.def.period": "期间：上次区级联席会议次日至统计日（含当日）；此前没有区级联席会议时为统计日及以前的全部记录。",
    "mech.def.steps": "荐优纳新各项人数：工会推荐日、确定为入党积极分子日、列为发展对象日、接收为预备党员日、转为正式党员日、退出日"
                      "在期间内的人数，同一人可计入多项；按企业所在乡镇/街道统计。",
    "mech.def.evaluated": "职工代表评议：期间内举行职工代表评议的发展对象人数；“同意”为评议结果为同意的人数。",
    "mech.def.awards": "双爱双评：评选启动、结果公布按评选的启动日、公布日在期间内计（全区统一）；新推荐为期间内提出、"
                       "截至统计日未撤回的推荐；获表彰人数为期间内公布的评选中获表彰的人数，按推荐的乡镇/街道统计，"
                       "热爱企业的优秀职工与热爱职工的优秀经营者分列。",
    "mech.def.names": "简报与大屏只列人数，不列个人姓名。",
}

EN: dict[str, str] = {
    "brief.section.mechanisms": "7. Recommendations and awards",
    "brief.section.mechanisms.part": "{section}: {part}",
    "present.slide.mechanisms": "Party recommendations and awards",
    "mech.empty": "No new recommendations or awards in this period.",
    "mech.period": "Period: since the previous district meeting ({date}), up to {until}.",
    "mech.period.first": "Period: no earlier district meeting; every record up to {until}.",
    "mech.part.development": "荐优纳新",
    "mech.part.awards": "双爱双评",
    "mech.dev.title": "荐优纳新 recommendations",
    "mech.awards.title": "双爱双评 awards",
    "mech.dev.line": "Recommendations: the enterprises' unions recommended {recommended} workers to the Party; {activist} became "
                     "activists, {candidate} development candidates, {probationary} probationary members, {member} full "
                     "members, and {withdrawn} left the path.",
    "mech.dev.evaluated": "Worker representatives evaluated {evaluated} development candidates, {passed} of them agreed.",
    "mech.dev.share": "In {year}, the non-public enterprises admitted {total} new Party members, {union} of them recommended "
                      "by a union ({share}).",
    "mech.dev.share.unrecorded": "{n} more were admitted in enterprises that recorded no admissions for the year (not counted).",
    "mech.dev.share.none": "No new Party members recorded for {year}; {union} admitted through a union recommendation.",
    "mech.dev.stuck": "{open} people on the path now, {stuck} of them stuck.",
    "mech.awards.line": "双爱双评: {nominations} new nominations.",
    "mech.awards.opened": "the {years} round opened",
    "mech.awards.published": "the {years} results published",
    "mech.awards.rounds": "In the period, {what}.",
    "mech.awards.result": "Awarded: {worker} outstanding workers, {manager} outstanding managers, in {enterprises} "
                          "enterprises; by township:",
    "mech.awards.no_result": "No awards published in this period.",
    "mech.awards.round_now": "Current round: {year} ({state}).",
    "mech.status.stuck": "People stuck",
    "mech.status.no_stuck": "Nobody stuck",
    "mech.col.worker": "Workers",
    "mech.col.manager": "Managers",
    "mech.col.total": "Total",
    "mech.tile.recommended": "Recommended by unions",
    "mech.tile.recommended.detail": "{activist} became activists",
    "mech.tile.candidate": "New development candidates",
    "mech.tile.candidate.detail": "{evaluated} evaluated by worker representatives, {passed} agreed",
    "mech.tile.probationary": "New probationary members",
    "mech.tile.probationary.detail": "{member} became full members",
    "mech.tile.share": "New members via a union",
    "mech.tile.share.detail": "{year}: {union} / {total}",
    "mech.tile.stuck": "Stuck",
    "mech.tile.stuck.detail": "{open} on the path",
    "mech.tile.nominations": "New nominations",
    "mech.tile.nominations.detail": "withdrawn ones excluded",
    "mech.tile.worker": "Outstanding workers",
    "mech.tile.manager": "Outstanding managers",
    "mech.tile.awarded.detail": "published in this period",
    "mech.tile.top": "Townships with most awards",
    "mech.unit.people": "{n}",
    "mech.def.period": "Period: the day after the previous district joint meeting up to the as-of date (included); "
                       "without an earlier district meeting, every record up to the date.",
    "mech.def.steps": "Recommendation figures: people whose date of union recommendation, of becoming an activist, a "
                      "development candidate, a probationary member, a full member, or of leaving falls in the period; "
                      "one person may count in several; by the enterprise's township.",
    "mech.def.evaluated": "Worker representatives' evaluation: development candidates evaluated in the period; agreed: "
                          "those with the result agreed.",
    "mech.def.awards": "双爱双评: a round counts as opened or published when its opening or publication day falls in the "
                       "period (district-wide); new nominations: made in the period and not withdrawn by the date; "
                       "awards: the awarded nominations of the rounds published in the period, by the nominating "
                       "township, per category.",
    "mech.def.names": "The brief and the big screen show counts only, no personal names.",
}
