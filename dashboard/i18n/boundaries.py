"""Messages of 乡镇边界导入与管理 / township boundaries (admin page upload, CLI messages)."""

ZH: dict[str, str] = {
}

EN: dict[str, str] = {
}
