"""Messages of 会议大屏与会议简报 / presentation mode (/present), meeting brief, chart PNG export."""

ZH: dict[str, str] = {
    "nav.present": "会议大屏",
}

EN: dict[str, str] = {
    "nav.present": "Presentation",
}
