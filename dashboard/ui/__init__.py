"""The Streamlit layer (with app_pages/ and app.py the only code that imports streamlit)."""
