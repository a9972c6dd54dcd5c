"""The sections of the administrators' page (``app_pages/admin.py``): accounts (the table, the forms
that create and change them, the one-time password shown once), the audit log, and the township
boundaries (``boundaries.py``)."""
