"""The sections of the administrators' page (``app_pages/admin.py``): accounts and the audit log."""
