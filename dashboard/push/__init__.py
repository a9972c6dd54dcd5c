"""Push, not only pull (issue 20): scheduled briefs, summaries and 督办 reminders by e-mail and
work-chat webhooks. ``config`` (the TOML set-up), ``messages`` (what is sent, from the queries of a
channel's scope), ``transport`` (SMTP, 企业微信, 钉钉, JSON webhook), ``run`` (the schedule, the send
log, exactly-once delivery with retries). No Streamlit: the CLI (``dangong push``) and the admin
page call it."""
