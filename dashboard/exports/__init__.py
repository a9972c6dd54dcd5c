"""Exports (DESIGN.md §6): Excel workbooks; pure functions from DataFrames to bytes, no Streamlit."""
