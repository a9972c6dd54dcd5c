"""The view layer: pure display rules, no Streamlit (DESIGN.md §6).

``(query result, locale) -> labelled frames, statuses, texts``. A page section, a PDF, a PPTX and
an Excel sheet take their rows and words from here, so a screen and a document cannot disagree.

* ``status``  — the one rule of each status: an action item (逾期 / 临期 / 正常 / 已完成), an
  aggregate of items, a campaign zone's pace, a coordination notice; one due-soon window.
* one module per page family (``overview``, ``coverage_map``, ``ledger``, ``meetings``, ``cases``,
  ``present``) turning query results into what a person reads.

Views import ``dashboard.queries`` (for result types and constants), ``dashboard.i18n`` and
``models``; never ``streamlit``, ``dashboard.ui`` or ``dashboard.app_pages``.
"""
