"""Messages of 台账维护 / enterprise events recorded from the ledger detail."""

ZH: dict[str, str] = {
}

EN: dict[str, str] = {
}
