"""Run the app for a lecture hall: N Streamlit replicas behind HAProxy, managed by supervisord.

`python -m deploy` (or `deploy/run.sh`) — see `deploy/__main__.py` and README, "Running it for a
lecture hall". `deploy.config` writes the configs, `deploy.replica` starts one replica.
"""
