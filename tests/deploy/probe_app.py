"""A tiny app for tests/test_deploy.py: which replica ran it, and what it made of the signed `_streamlit_user` cookie.

Streamlit 1.67 verifies that cookie (st.login's identity) with server.cookieSecret, and reads it only
when the websocket's XSRF token matches the _streamlit_xsrf cookie. No torch: a deployment of this
starts in seconds.
"""

import os

import streamlit as st

user = st.user.to_dict()
st.markdown(
    f"probe replica={os.environ.get('ALEXNET_REPLICA', '-')} "
    f"logged_in={bool(user.get('is_logged_in'))} email={user.get('email', '-')}"
)
