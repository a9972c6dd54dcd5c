"""典型案例 / Model enterprises — being built (issue in progress)."""

import streamlit as st

st.info("典型案例：建设中 / Model enterprises: under construction")
