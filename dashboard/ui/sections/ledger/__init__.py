"""The sections of the enterprise ledger (``app_pages/ledger.py``): the search controls, the table
with its pages and Excel export, one enterprise's detail and history."""
