"""Messages of 典型案例 / model-enterprise case studies (/cases)."""

ZH: dict[str, str] = {
    "nav.cases": "典型案例",
}

EN: dict[str, str] = {
    "nav.cases": "Model enterprises",
}
