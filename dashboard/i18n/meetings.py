"""Messages of 两级联席会议与协调通报 / joint meetings, action items, coordination notices (/meetings)."""

ZH: dict[str, str] = {
    "nav.meetings": "联席会议",
}

EN: dict[str, str] = {
    "nav.meetings": "Joint meetings",
}
