"""The Build page (home of `streamlit run app.py`)."""

import streamlit as st

from explorer.analysis import analyse
from ui import current_variant

st.set_page_config(page_title="AlexNet Explorer", page_icon="🧠", layout="wide")
analysis = analyse(current_variant())
st.title("AlexNet Explorer")
st.dataframe([r.to_dict() for r in analysis.rows])
