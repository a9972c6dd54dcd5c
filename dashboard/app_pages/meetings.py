"""联席会议 / Joint meetings — being built (issue in progress)."""

import streamlit as st

st.info("联席会议：建设中 / Joint meetings: under construction")
