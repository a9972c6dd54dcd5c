"""会议大屏 / Presentation — being built (issue in progress)."""

import streamlit as st

st.info("会议大屏：建设中 / Presentation: under construction")
