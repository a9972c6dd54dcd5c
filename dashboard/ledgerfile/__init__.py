"""The district ledger (台账) as a file: one format for the template, the export and the import.

No Streamlit and no database writes here: ``spec`` (sheets, columns, allowed values — the one
definition of the format), ``problems`` (what is wrong, and where), ``cells`` (one cell's text to a
value: dates typed five ways, full-width digits, labels or codes), ``reader`` (a file's bytes to
rows: .xlsx streamed by openpyxl, CSV in UTF-8/UTF-8-BOM/GB18030, refused formats named),
``template`` (the blank workbook and CSVs), ``validate`` (rows to checked records, every problem
at once), ``export`` (the database, or one township's part of it, in the same format). The write
side is ``dashboard.edits.ledger_import`` (diff, one transaction, import batches, undo).
"""
