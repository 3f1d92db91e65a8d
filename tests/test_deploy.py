"""The lecture-hall deployment (`python -m deploy`): real HAProxy, supervisord and Streamlit processes.

Two replicas of the app behind HAProxy on free loopback ports, started the way README says (the
deploy command, supervisord in the foreground), and driven the way a browser drives Streamlit:
the websocket client of bench/load_test.py (Streamlit's own protobuf messages), plain HTTP uploads,
and one real Chromium. What each test shows:

- the command without starting anything: configs HAProxy accepts (`haproxy -c`), one server and
  one supervisord program per replica, N = cores by default, the secret generated once and kept,
  clear refusals (no replicas, a busy port, a weak secret);
- the running configs: every replica runs with the same cookie secret as the secret file (mode
  0600, on no command line and in no config file) and with ALEXNET_DATA_DIR; a '%' in the data
  dir's path survives supervisord's interpolation;
- stickiness: every request of a session (health check, websocket upgrade, reruns, upload) reaches
  one replica, sessions spread over both; the same upload sent to the other replica is refused
  (Streamlit: "Invalid session_id"), so the cookie is what makes uploads work;
- bench/load_test.py through the proxy: every session verified, CPU and RSS of both replicas;
- XSRF across replicas: a token issued through replica r0 is valid for an upload to a session on
  r1; no token is refused (XSRF is on);
- the shared cookie secret: a cookie signed with the deployment's secret (what st.login issues) is
  accepted by every replica, and refused by a replica with another secret;
- a crash: a replica killed with SIGKILL is taken out by HAProxy, its session reconnects (as the
  frontend does) to the other replica with its widget state and the page works; supervisord
  restarts it and HAProxy puts it back;
- a real browser on the proxy: its replica stopped, it reconnects to the other by itself, a slider
  move and an image upload work there.

Without haproxy/supervisord these tests skip on a laptop and FAIL under CI=true. No timing
assertions: the times are printed (`-s`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import load_test as lt  # noqa: E402

from deploy.config import COOKIE_NAME, SECRET_ENV  # noqa: E402
from deploy.local import LocalDeployment, free_port  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
PROBE_APP = "tests/deploy/probe_app.py"
ACTION_TIMEOUT = 90.0


def _need_tools(*, browser: bool = False) -> None:
    missing = [
        f"{name} (apt-get install {package})"
        for name, package in (("haproxy", "haproxy"), ("supervisord", "supervisor"), ("supervisorctl", "supervisor"))
        if not (shutil.which(name) or Path("/usr/sbin", name).exists())
    ]
    if browser:
        if not Path(CHROMIUM).exists():
            missing.append(f"{CHROMIUM} (apt-get install chromium)")
        try:
            import playwright  # noqa: F401
        except ImportError:
            missing.append("the playwright package (pip install -r requirements-dev.txt)")
    if missing:
        message = "deployment tests need " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message + " — CI must run them, not skip them")
        pytest.skip(message)


def _start(tmp_path_factory, name: str, **kwargs) -> LocalDeployment:
    dep = LocalDeployment(replicas=2, data_dir=tmp_path_factory.mktemp(name), **kwargs)
    try:
        dep.start(timeout=150)
    except BaseException:
        print(dep.output(), dep.log("supervisord"), dep.log("haproxy"), dep.log("r0")[-3000:], sep="\n")
        dep.stop()
        raise
    return dep


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    """The app: two replicas behind HAProxy, run by supervisord."""
    _need_tools()
    # a '%' in the path: supervisord %-interpolates its values, the writer must escape them
    dep = _start(tmp_path_factory, "deploy%data")
    try:
        yield dep
    finally:
        dep.stop()
        left = [pid for pid in dep._seen_pids if Path(f"/proc/{pid}").exists() and _ours(pid)]
        assert not left, f"processes left running after shutdown: {left}"


def _ours(pid: int) -> bool:
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"haproxy" in cmd or b"streamlit" in cmd


def _environ(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    return dict(item.split("=", 1) for item in raw.decode(errors="replace").split("\0") if "=" in item)


# --- a session, the way the frontend speaks ----------------------------------------------------


def new_session(dep: LocalDeployment, *, pin: str | None = None, cookies: dict[str, str] | None = None) -> lt.Session:
    session = lt.Session(dep.port, ACTION_TIMEOUT, time.monotonic() + 600)
    session.cookies.update(cookies or {})
    if pin:
        session.cookies[COOKIE_NAME] = pin  # as if an earlier response had put the session there
    return session


class Page:
    """A Build page open in one session: what a slider move needs and checks."""

    def __init__(self, session: lt.Session, first: lt.RunOutput) -> None:
        assert not first.exceptions and not first.compile_error, first.exceptions
        self.session = session
        self.slider_id = first.sliders[lt.SLIDER_KEY].id
        self.build_hash = session.current_page_hash
        self.width = int(first.number_inputs["in_width"].value)
        self.stride, self.padding, self.kernel = (
            lt._slider_value(first.sliders[k]) for k in ("b0_s", "b0_p", lt.SLIDER_KEY)
        )

    def move_slider(self, k: int) -> None:
        out = self.session.rerun(page_script_hash=self.build_hash, widgets=[(self.slider_id, k)])
        self.check_formula(out, k)
        self.kernel = k

    def check_formula(self, out: lt.RunOutput, k: int) -> None:
        assert not out.exceptions, out.exceptions
        assert not any(lt.GUARDED_TEXT in t for t in out.texts), out.texts
        piece, size = lt._expected_formula(k, self.width, self.stride, self.padding)
        assert any("conv1" in t and piece in t and f"= {size}`" in t for t in out.texts), (
            f"conv1 formula for kernel {k} ({piece} … = {size}) not in the rerun's deltas"
        )


def open_build(session: lt.Session, *, reconnect: bool = False) -> Page:
    session.connect(reconnect=reconnect)
    return Page(session, session.rerun(page_name=""))


def upload(dep: LocalDeployment, session: lt.Session, *, token: str | None, cookies: dict[str, str] | None = None):
    """PUT a file to /_stcore/upload_file/<session id>/<file id> as the frontend does → (status, X-Replica, body)."""
    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="notes.txt"\r\n'
        f"Content-Type: text/plain\r\n\r\nlecture notes\r\n--{boundary}--\r\n"
    ).encode()
    jar = cookies if cookies is not None else session.cookies
    headers = {
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
        "Origin": dep.url,
    }
    if token is not None:
        headers["X-Xsrftoken"] = token
    url = f"{dep.url}/_stcore/upload_file/{session.session_id}/{uuid.uuid4()}"
    request = urllib.request.Request(url, data=body, method="PUT", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, r.headers.get("x-replica"), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("x-replica"), e.read()


def _closed(session: lt.Session, timeout: float = 15) -> bool:
    """Whether the session's websocket gets closed (an error or a close frame) within `timeout`."""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        session.ws.settimeout(left)
        try:
            opcode, _ = session.ws.recv_data(control_frame=True)
        except lt.websocket.WebSocketTimeoutException:
            return False
        except Exception:  # websocket-client's closed-connection errors, or a reset
            return True
        if opcode == lt.websocket.ABNF.OPCODE_CLOSE:
            return True
        # messages the replica sent after the last script_finished: read on
    return False


# --- the command, without starting anything ------------------------------------------------------


def _deploy(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "deploy", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_command_writes_configs_haproxy_accepts(tmp_path):
    _need_tools()
    data = tmp_path / "data"
    done = _deploy("--write-only", "--replicas", "3", "--port", "9100", "--data-dir", str(data))
    assert done.returncode == 0, done.stderr  # it ran `haproxy -c` on the config
    assert done.stdout.split() == [str(data / "deploy" / "haproxy.cfg"), str(data / "deploy" / "supervisord.conf")]
    cfg = (data / "deploy" / "haproxy.cfg").read_text()
    assert [line.split()[1:3] for line in cfg.splitlines() if line.strip().startswith("server ")] == [
        ["r0", "127.0.0.1:9101"],
        ["r1", "127.0.0.1:9102"],
        ["r2", "127.0.0.1:9103"],
    ]
    conf = (data / "deploy" / "supervisord.conf").read_text()
    assert conf.count("[program:r") == 3 and "[program:haproxy]" in conf
    assert f'ALEXNET_DATA_DIR="{data}"' in conf
    # the secret was generated once and is kept
    secret = (data / "cookie_secret").read_text()
    assert _deploy("--write-only", "--data-dir", str(data)).returncode == 0
    assert (data / "cookie_secret").read_text() == secret


def test_the_command_defaults_to_one_replica_per_core(tmp_path):
    from deploy.config import Settings, cpu_count

    assert Settings(data_dir=tmp_path).replicas == cpu_count() == len(os.sched_getaffinity(0))


def test_the_command_refuses_what_cannot_work(tmp_path):
    _need_tools()
    done = _deploy("--replicas", "0", "--data-dir", str(tmp_path))
    assert done.returncode == 2 and "--replicas must be" in done.stderr
    with lt.socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = _deploy("--port", str(port), "--address", "127.0.0.1", "--replicas", "1", "--data-dir", str(tmp_path))
    assert done.returncode == 2 and f"already in use: 127.0.0.1:{port}" in done.stderr
    (tmp_path / "short").write_text("tooshort\n")
    done = _deploy("--write-only", "--data-dir", str(tmp_path), "--cookie-secret-file", str(tmp_path / "short"))
    assert done.returncode == 2 and "at least 32" in done.stderr


# --- the tests on a running deployment -----------------------------------------------------------


def test_every_replica_gets_the_shared_secret_and_the_data_dir(deployment):
    dep = deployment
    cfg = dep.settings.haproxy_cfg.read_text()
    for needed in (
        f"cookie {COOKIE_NAME} insert",
        "http-check send meth GET uri /_stcore/health",
        "inter 1000",
        "fall 2",
        "timeout tunnel 1h",
        "option redispatch",
    ):
        assert needed in cfg, needed
    secret_file = dep.data_dir / "cookie_secret"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    secret = secret_file.read_text().strip()
    assert len(secret) >= 32
    pids = dep.pids()
    assert all(pids.values()), pids
    for name in dep.names:
        env = _environ(pids[name])
        assert env.get(SECRET_ENV) == secret, f"{name} runs with another cookie secret"
        assert env.get("ALEXNET_DATA_DIR") == str(dep.data_dir)
        assert env.get("STREAMLIT_SERVER_ENABLE_XSRF_PROTECTION") == "true"
        assert env.get("ALEXNET_REPLICA") == name
    # the secret is in no config file and on no command line
    assert secret not in dep.settings.supervisord_conf.read_text()
    for pid in pids.values():
        assert secret.encode() not in Path(f"/proc/{pid}/cmdline").read_bytes()


def test_a_session_its_reruns_and_its_upload_stay_on_one_replica(deployment):
    dep = deployment
    pages = []
    try:
        for i in range(6):  # all open at once, like a class: least-connections spreads them
            page = open_build(new_session(dep))
            page.move_slider(7 if i % 2 else 5)
            page.move_slider(9)
            pages.append(page)
        spread = {}
        for page in pages:
            s = page.session
            # the health check that set the cookies and the websocket upgrade: one replica
            assert len(s.replicas) == 2 and len(set(s.replicas)) == 1, s.replicas
            replica = s.replicas[0]
            assert s.cookies[COOKIE_NAME] == replica
            spread[replica] = spread.get(replica, 0) + 1
            status, answered_by, body = upload(dep, s, token=s.cookies["_streamlit_xsrf"])
            assert (status, answered_by) == (204, replica), body
            # a rerun after the upload still runs on the same session
            page.move_slider(11)
            # the same upload routed to the other replica: that process has no such session
            other = next(n for n in dep.names if n != replica)
            status, answered_by, body = upload(
                dep, s, token=s.cookies["_streamlit_xsrf"], cookies={**s.cookies, COOKIE_NAME: other}
            )
            assert (status, answered_by) == (400, other) and b"session" in body.lower(), (status, body)
        print(f"\nsessions per replica: {spread}")
        assert set(spread) == set(dep.names), f"six sessions did not spread over both replicas: {spread}"
    finally:
        for page in pages:
            page.session.close()
    # HAProxy's own log names the server of every upload
    log = dep.log("haproxy")
    assert "replicas/r0" in log and "replicas/r1" in log and "/_stcore/upload_file/" in log


def test_the_load_test_goes_through_the_proxy_and_counts_every_replica(deployment):
    dep = deployment
    command = [sys.executable, str(ROOT / "bench" / "load_test.py"), "--sessions", "4", "--timeout", "120"]
    command += ["--port", str(dep.port), "--deployment", str(dep.data_dir)]
    done = subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert "errors: 0" in out and "slider reruns verified: 20/20" in out, out
    # four sessions starting at once: both replicas get some (the split depends on the timing)
    assert re.search(r"^sessions per replica: r0 [1-3], r1 [1-3]$", out, re.M), out
    assert "(peak per process: r0 " in out and ", r1 " in out, out  # both replicas' RSS and CPU sampled
    assert " s per action" in out, out


def test_an_xsrf_token_from_one_replica_is_valid_on_the_other(deployment):
    from streamlit.web.server.starlette.starlette_app_utils import decode_xsrf_token_string

    dep = deployment
    first = new_session(dep, pin="r0")
    first.connect()  # health check + websocket on r0: r0 issues the _streamlit_xsrf cookie
    assert first.replicas == ["r0", "r0"]
    token = first.cookies["_streamlit_xsrf"]
    first.close()
    # the same browser, its replica cookie now pointing at r1 (as after r0 went away)
    second = new_session(dep, cookies={**first.cookies, COOKIE_NAME: "r1"})
    page = open_build(second)
    try:
        assert second.replicas == ["r1", "r1"]
        # r1 kept the token r0 issued (re-masked): the browser's token stays the same across replicas
        assert decode_xsrf_token_string(second.cookies["_streamlit_xsrf"]) == decode_xsrf_token_string(token)
        assert upload(dep, second, token=token)[:2] == (204, "r1")
        assert upload(dep, second, token=None)[:2] == (403, "r1"), "an upload without the XSRF token was accepted"
        forged = "2|00000000|" + "0" * 32 + "|" + token.split("|")[3]
        assert upload(dep, second, token=forged)[:2] == (403, "r1")
        page.move_slider(5)
    finally:
        second.close()


def test_a_crashed_replica_is_taken_out_and_its_session_reconnects_to_the_other(deployment):
    dep = deployment
    session = new_session(dep)
    page = open_build(session)
    page.move_slider(7)
    victim = session.replicas[0]
    survivor = next(n for n in dep.names if n != victim)
    pid = dep.pid(victim)
    killed = time.monotonic()
    os.kill(pid, signal.SIGKILL)
    # the session's websocket closes (HAProxy drops the tunnel of a dead server)
    assert _closed(session), "the session's websocket stayed open after its replica died"
    down = dep.wait_state(victim, "DOWN", timeout=15)
    print(f"\n{victim} killed: HAProxy marked it DOWN after {time.monotonic() - killed:.1f} s (waited {down:.1f} s)")
    # the frontend reconnects at once: health check and websocket with the old cookies and session
    # id. HAProxy ignores the cookie of a DOWN server and sends it to the survivor (new cookie); the
    # survivor does not know the session id and starts a new session, whose rerun carries what the
    # browser holds (the URL the app keeps current, the widget states): the page is drawn as it was
    old_id = session.session_id
    session.close()
    session.connect(reconnect=True)
    assert session.replicas[-2:] == [survivor, survivor], session.replicas
    assert session.cookies[COOKIE_NAME] == survivor
    out = session.rerun(page_script_hash=page.build_hash, widgets=[(page.slider_id, 7)])
    assert session.session_id != old_id
    page.check_formula(out, 7)
    page.move_slider(9)
    session.close()
    # a new session (no cookie) goes to the survivor while the victim is out of rotation
    was_down = dep.server_states()[victim].startswith("DOWN")
    fresh = open_build(new_session(dep))
    if was_down and dep.server_states()[victim].startswith("DOWN"):
        assert fresh.session.replicas == [survivor, survivor]
    else:
        print(f"{victim} was back before the new session connected: not checking where it went")
    fresh.move_slider(13)
    fresh.session.close()
    # supervisord restarts the replica; HAProxy puts it back into rotation
    deadline = time.monotonic() + 60
    while (new_pid := dep.pid(victim)) in (None, pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert new_pid not in (None, pid), f"supervisord did not restart {victim}"
    up = dep.wait_state(victim, "UP", timeout=90)
    print(f"{victim} restarted by supervisord (pid {pid} → {new_pid}), back UP in HAProxy {up:.1f} s later")
    back = open_build(new_session(dep, pin=victim))
    assert back.session.replicas == [victim, victim]
    back.move_slider(5)
    back.session.close()


@pytest.mark.browser
def _in_own_thread(run, *args) -> None:
    """Run a Playwright test body in its own thread (the browser suite's session-wide Playwright holds
    this thread's event loop); its exception is re-raised here."""
    import threading

    failure: list[BaseException] = []

    def body() -> None:
        try:
            run(*args)
        except BaseException as exc:  # re-raised in the test's thread below
            failure.append(exc)

    worker = threading.Thread(target=body)
    worker.start()
    worker.join()
    if failure:
        raise failure[0]


def test_a_browser_whose_replica_stops_carries_on_on_the_other(deployment, tmp_path):
    _need_tools(browser=True)
    _in_own_thread(_browser_failover, deployment, tmp_path)


def _browser_failover(deployment, tmp_path):
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT / "tests"))
    from browser.conftest import CHROMIUM_ARGS, wait_idle
    from browser.test_pages_browser import png_bytes

    dep = deployment
    stopped = None
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            uploads = []
            page.on(
                "response",
                lambda r: (
                    uploads.append((r.status, r.headers.get("x-replica")))
                    if "/_stcore/upload_file/" in r.url and r.request.method == "PUT"
                    else None
                ),
            )

            def replica_cookie():
                return next((c["value"] for c in context.cookies() if c["name"] == COOKIE_NAME), None)

            page.goto(dep.url + "/")
            page.wait_for_selector("text=Parameters", timeout=90_000)
            wait_idle(page)
            stopped = replica_cookie()
            assert stopped in dep.names
            other = next(n for n in dep.names if n != stopped)
            started = time.monotonic()
            assert "stopped" in dep.ctl("stop", f"replicas:{stopped}")
            dep.wait_state(stopped, "DOWN", timeout=15)
            # the frontend notices, polls /_stcore/health and reconnects: HAProxy sends it to the other
            deadline = time.monotonic() + 60
            while replica_cookie() != other and time.monotonic() < deadline:
                page.wait_for_timeout(200)
            assert replica_cookie() == other, "the browser did not reconnect through the proxy"
            wait_idle(page)
            print(f"\nbrowser reconnected to {other} {time.monotonic() - started:.1f} s after {stopped} stopped")
            # the page as it was (the variant is in its URL), and a slider that works: the formula
            # shown always matches the kernel the slider shows
            assert page.get_by_text("⌊(227 − 11)/4⌋ + 1 = ⌊54⌋ + 1 = 55").count() >= 1
            thumb = page.locator(".st-key-b0_k input[type='range']")
            for attempt in range(2):
                thumb.focus()
                thumb.press("ArrowRight")
                wait_idle(page)
                k = int(thumb.input_value())
                assert page.get_by_text(f"⌊(227 − {k})/4⌋").count() >= 1, f"kernel {k}: its formula is not shown"
                if attempt == 0 and k == 11:
                    print(
                        "the first slider move after the failover was dropped (the new replica's session starts from the URL)"
                    )
            assert k > 11, "two slider moves after the failover changed nothing"
            # an upload on the new replica
            page.goto(dep.url + "/Inside")
            page.get_by_text("Feature maps").first.wait_for(timeout=90_000)
            wait_idle(page)
            path = tmp_path / "red.png"
            path.write_bytes(png_bytes(300, 240))
            page.locator(".st-key-inside_source").get_by_text("Upload").click()
            wait_idle(page)
            page.locator(".st-key-inside_upload input[type='file']").set_input_files(str(path))
            wait_idle(page)
            page.get_by_text("original · 300×240").first.wait_for(timeout=60_000)
            assert uploads and all(u == (204, other) for u in uploads), uploads
            context.close()
        finally:
            browser.close()
            if stopped:
                dep.ctl("start", f"replicas:{stopped}", timeout=60)
    dep.wait_state(stopped, "UP", timeout=90)


def test_a_class_poll_spans_the_replicas_and_survives_one_stopping(deployment):
    """The poll lives in SQLite in the shared data dir: a teacher on one replica sees the answers of
    students on both; when the teacher's replica stops, the browser reconnects to the other and
    finds its room (the teacher token derives from the browser's cookie and the shared secret)."""
    _need_tools(browser=True)
    _in_own_thread(_poll_across_replicas, deployment)


def _poll_across_replicas(dep):
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT / "tests"))
    from browser.conftest import CHROMIUM_ARGS, wait_idle

    question = "mystery-conv1-224"  # the first question's widget keys, as Streamlit writes them
    stopped = None
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            teacher_ctx = browser.new_context(viewport={"width": 1200, "height": 900})
            teacher = teacher_ctx.new_page()
            teacher.goto(dep.url + "/Lessons")
            teacher.get_by_text("Open a class poll").first.wait_for(timeout=90_000)
            wait_idle(teacher)
            teacher.get_by_role("button", name="Open a class poll").click()
            wait_idle(teacher)
            text = teacher.get_by_text(re.compile("Room code: ")).first.inner_text()
            code = re.search(r"Room code:\s*([A-Z0-9 ]+)", text).group(1).replace(" ", "")
            teacher.get_by_role("button", name="Ask the class this question").click()
            wait_idle(teacher)
            stopped = next(c["value"] for c in teacher_ctx.cookies() if c["name"] == COOKIE_NAME)
            for replica, pick in zip(dep.names, ["54", "55"]):  # one student pinned to each replica
                ctx = browser.new_context(viewport={"width": 390, "height": 844})
                ctx.add_cookies([{"name": COOKIE_NAME, "value": replica, "url": dep.url}])
                phone = ctx.new_page()
                phone.goto(f"{dep.url}/Lessons?room={code}")
                phone.locator(f".st-key-poll_choice_{question}").get_by_text(pick, exact=True).click()
                wait_idle(phone)
                phone.get_by_role("button", name="Send my answer").click()
                phone.get_by_text(f"Your answer is saved: {pick}.").wait_for(timeout=60_000)
                assert next(c["value"] for c in ctx.cookies() if c["name"] == COOKIE_NAME) == replica
                ctx.close()
            teacher.get_by_text("2 answers so far").wait_for(timeout=30_000)
            other = next(n for n in dep.names if n != stopped)
            assert "stopped" in dep.ctl("stop", f"replicas:{stopped}")
            dep.wait_state(stopped, "DOWN", timeout=15)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                now = next((c["value"] for c in teacher_ctx.cookies() if c["name"] == COOKIE_NAME), None)
                if now == other:
                    break
                teacher.wait_for_timeout(200)
            teacher.get_by_text(re.compile("Back in your room")).first.wait_for(timeout=60_000)
            teacher.get_by_text("2 answers so far").wait_for(timeout=60_000)
            teacher_ctx.close()
        finally:
            browser.close()
            if stopped:
                dep.ctl("start", f"replicas:{stopped}", timeout=60)
    dep.wait_state(stopped, "UP", timeout=90)


def test_no_replica_logged_a_traceback(deployment):
    for name in deployment.names:
        log = deployment.log(name)
        assert "Traceback (most recent call last)" not in log, log[-4000:]


# --- the cookie secret, on a deployment of a probe app -------------------------------------------


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    """Two replicas of tests/deploy/probe_app.py behind HAProxy, and one stray replica with its own secret."""
    _need_tools()
    dep = _start(tmp_path_factory, "probe", app=PROBE_APP)
    stray_port = free_port()
    env = {**os.environ, SECRET_ENV: "another-secret-" + uuid.uuid4().hex, "ALEXNET_REPLICA": "stray"}
    command = [sys.executable, "-m", "streamlit", "run", PROBE_APP, "--server.port", str(stray_port)]
    command += ["--server.address", "127.0.0.1", "--server.headless", "true", "--server.enableXsrfProtection", "true"]
    stray = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        lt._wait_healthy(stray_port, stray, 60)
        yield dep, stray_port
    finally:
        stray.terminate()
        try:
            stray.wait(15)
        except subprocess.TimeoutExpired:
            stray.kill()
            stray.wait(10)
        dep.stop()


def _probe(port: int, cookies: dict[str, str]) -> str:
    session = lt.Session(port, 30, time.monotonic() + 60)
    session.cookies.update(cookies)
    try:
        session.connect()
        texts = [t for t in session.rerun(page_name="").texts if t.startswith("probe ")]
    finally:
        session.close()
    assert len(texts) == 1, texts
    return texts[0]


def test_a_cookie_signed_with_the_shared_secret_is_valid_on_every_replica(probe):
    from streamlit.web.server.starlette.starlette_app_utils import create_signed_value

    dep, stray_port = probe
    secret = (dep.data_dir / "cookie_secret").read_text().strip()

    def signed_user(origin: str) -> str:
        payload = json.dumps({"origin": origin, "is_logged_in": True, "email": "teacher@example.org"})
        return create_signed_value(secret, "_streamlit_user", payload).decode()

    for name in dep.names:
        text = _probe(dep.port, {COOKIE_NAME: name, "_streamlit_user": signed_user(dep.url)})
        assert text == f"probe replica={name} logged_in=True email=teacher@example.org", text
    # without the cookie: not logged in (the probe reads the cookie, it does not invent it)
    assert "logged_in=False" in _probe(dep.port, {})
    # a replica with another secret refuses the same signature
    text = _probe(stray_port, {"_streamlit_user": signed_user(f"http://127.0.0.1:{stray_port}")})
    assert text == "probe replica=stray logged_in=False email=-", text
