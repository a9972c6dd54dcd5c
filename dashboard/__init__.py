"""The dashboard: queries, charts, i18n, exports (pure) and the Streamlit UI (ui/, app_pages/, app.py)."""
