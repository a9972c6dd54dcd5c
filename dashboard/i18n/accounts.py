"""Messages of 用户管理 / account management in the browser (admin page)."""

ZH: dict[str, str] = {
}

EN: dict[str, str] = {
}
