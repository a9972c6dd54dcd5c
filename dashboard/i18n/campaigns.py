"""Messages of 攻坚 / the campaigns page (/campaigns)."""

ZH: dict[str, str] = {
    "nav.campaigns": "攻坚",
    "camp.title": "攻坚活动",
    "camp.pick": "攻坚活动",
    "camp.none": "还没有攻坚活动。",
    "camp.label": "{name}（{start} 至 {end}）",
    "camp.motto": "口号：{motto}",
    "camp.zones": "各战区进度（截至 {date}）",
    "camp.zones.help": "任务进度取新建工会、新增会员两项指标中完成比例较低的一项；时间进度为攻坚开始日至战区期限已过去的比例。"
                       "任务进度比时间进度低 10 个百分点以上为“落后”，高 10 个百分点以上为“超前”，其余为“按期”；"
                       "指标全部完成为“已完成”，过期限仍未完成为“逾期未完成”。预计完成日按攻坚开始以来的平均进度推算。",
    "camp.no_zone": "您负责的乡镇不在本次攻坚的任何战区中。",
    "camp.partial": "战区含其他乡镇",
    "camp.partial_note": "标为“战区含其他乡镇”的战区还包括您范围之外的乡镇：表中是您范围内的完成数，战区目标不按乡镇分解，故不判断进度。",
    "camp.col.zone": "战区",
    "camp.col.owner": "责任人（单位）",
    "camp.col.deadline": "期限",
    "camp.col.unions": "新建工会 / 指标",
    "camp.col.members": "新增会员 / 指标",
    "camp.col.task": "任务进度",
    "camp.col.time": "时间进度",
    "camp.col.pace": "状态",
    "camp.col.forecast": "预计完成",
    "camp.forecast.done": "已完成",
    "camp.forecast.closed": "已截止",
    "camp.forecast.none": "尚无进展，无法推算",
    "camp.forecast.before": "{date}（早于期限 {n} 天）",
    "camp.forecast.after": "{date}（晚于期限 {n} 天）",
    "camp.burnup": "新建基层工会累计（虚线为各战区指标）",
    "camp.chart.day": "日期",
    "camp.chart.unions": "新建基层工会（累计）",
    "camp.chart.members": "新增会员（累计）",
    "camp.chart.target": "指标",
}

EN: dict[str, str] = {
    "nav.campaigns": "Campaigns",
    "camp.title": "Campaigns",
    "camp.pick": "Campaign",
    "camp.none": "No campaign yet.",
    "camp.label": "{name} ({start} – {end})",
    "camp.motto": "Motto: {motto}",
    "camp.zones": "Zones (as of {date})",
    "camp.zones.help": "Task progress is the less advanced of the two targets (new unions, new members); time "
                       "progress the share of the time from the campaign's start to the zone's deadline gone. More than "
                       "10 percentage points behind time is “behind”, more than 10 ahead “ahead”, else “on pace”; every "
                       "target reached is “done”, the deadline passed unmet “overdue”. The forecast extends the average "
                       "pace since the start.",
    "camp.no_zone": "None of your townships is in a zone of this campaign.",
    "camp.partial": "zone reaches beyond your townships",
    "camp.partial_note": "A zone marked so also covers townships outside your scope: the table shows what was done in "
                         "yours; its target is not split by township, so no pace is judged.",
    "camp.col.zone": "Zone",
    "camp.col.owner": "Owner (unit)",
    "camp.col.deadline": "Deadline",
    "camp.col.unions": "New unions / target",
    "camp.col.members": "New members / target",
    "camp.col.task": "Task",
    "camp.col.time": "Time",
    "camp.col.pace": "Status",
    "camp.col.forecast": "Forecast",
    "camp.forecast.done": "done",
    "camp.forecast.closed": "closed",
    "camp.forecast.none": "no progress yet to extend",
    "camp.forecast.before": "{date} ({n} days before the deadline)",
    "camp.forecast.after": "{date} ({n} days after the deadline)",
    "camp.burnup": "New grassroots unions, accumulated (dashed: each zone's target)",
    "camp.chart.day": "Date",
    "camp.chart.unions": "New grassroots unions (accumulated)",
    "camp.chart.members": "New members (accumulated)",
    "camp.chart.target": "Target",
}
