"""Lessons and a live class poll: predict first, then see the arithmetic; the class answers on phones.

Two ways in:
- the teacher (or a student alone) picks a lesson and steps through it; each step's question and
  answer come from the engine (explorer/lessons.py). In class, the teacher opens a room: a code, a
  join link and its QR code; "Ask the class" puts the step's question to the room, the tally
  refreshes by itself, "Reveal" shows the answer on every phone.
- a student's phone opens `?room=CODE` (the QR code) and sees only the room's current question.

Everything the poll knows is in SQLite on disk (explorer/poll.py): replicas behind the proxy and a
restarted server see the same rooms and answers. Per-browser voter id: a hash of the browser's
XSRF cookie (the same in every tab of that browser), else one id per session.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import secrets
import urllib.parse

import streamlit as st

from explorer import augment, lessons, poll
from explorer.formula import WorkedFormula
from explorer.i18n import N_, _, bind
from explorer.spec import VariantError
from ui import (
    callback,
    guarded,
    image_picker,
    keep_query,
    md,
    notify,
    page_setup,
    set_current_variant,
    show_notices,
    show_variant_error,
)

ROOM = "_poll_room"  # (code, token) of the room this session teaches
VOTER = "_poll_voter"
TEACHER = "_poll_teacher"
REFRESH_S = 2.0  # how often the tally and a student's question refresh themselves
OPEN_LABELS = {
    lessons.BUILD: N_("Open it on the Build page"),
    lessons.INSIDE: N_("Open it on the Inside page"),
    lessons.FORMULA: N_("Open it on the Formula page"),
    lessons.COMPARE: N_("Open it on the Compare page"),
}


@st.cache_resource(show_spinner=False)
def store() -> poll.Store:
    return poll.Store()


def _browser_cookie() -> str | None:
    """The browser's XSRF token: the same in all its tabs and on every replica; None without a browser.

    Tornado sends the cookie masked afresh on every page load ("2|mask|masked token|time"); the
    token itself is masked XOR mask, and that is what stays the same.
    """
    try:
        cookie = st.context.cookies.get("_streamlit_xsrf")
    except Exception:  # no browser behind this run (AppTest)
        return None
    if not isinstance(cookie, str) or not cookie or len(cookie) > 512:
        return None
    parts = cookie.split("|")
    if len(parts) == 4 and parts[0] == "2":
        try:
            mask, masked = bytes.fromhex(parts[1]), bytes.fromhex(parts[2])
        except ValueError:
            return None
        if not mask or not masked:
            return None
        return bytes(b ^ mask[i % len(mask)] for i, b in enumerate(masked)).hex()
    return cookie


def teacher_token() -> str:
    """The teacher's secret for their rooms, derived from their browser and the server's cookie secret.

    A reload, a restarted server or a failover to another replica starts a new session; the same
    browser derives the same token and finds its open rooms again (`Store.rooms_of`). Students
    cannot derive it: it needs the server's secret. Without a browser cookie: one per session.
    """
    ss = st.session_state
    if not isinstance(ss.get(TEACHER), str):
        cookie = _browser_cookie()
        if cookie:
            secret = str(st.get_option("server.cookieSecret") or "").encode()
            ss[TEACHER] = "t" + hmac.new(secret, b"teacher:" + cookie.encode(), "sha256").hexdigest()[:40]
        else:
            ss[TEACHER] = secrets.token_urlsafe(24)
    return ss[TEACHER]


def voter_id() -> str:
    """One id per browser (the XSRF cookie is shared by its tabs), else one per session."""
    ss = st.session_state
    if not poll.valid_voter_id(ss.get(VOTER)):
        cookie = _browser_cookie()
        if cookie:
            ss[VOTER] = "b" + hashlib.sha256(cookie.encode("utf-8", "replace")).hexdigest()[:40]
        else:
            ss[VOTER] = poll.new_voter_id()
    return ss[VOTER]


def join_link(code: str) -> str:
    base = str(st.context.url or "").split("?")[0]
    return f"{base}?{urllib.parse.urlencode({'room': code, 'lang': st.session_state.get('_lang', 'en')})}"


def qr_png(text: str) -> bytes:
    import segno

    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=6, border=2)
    return buffer.getvalue()


# --- the question and its reveal ------------------------------------------------------------------


def show_reveal(question: lessons.Question) -> None:
    for part in question.reveal:
        if isinstance(part, WorkedFormula):
            st.markdown(f"`{part.text}`  \n{md(part.remainder_text)}")
        elif isinstance(part, VariantError):
            show_variant_error(part)
        else:
            st.markdown(md(part))


def show_question(step: lessons.Step) -> None:
    q = step.question
    labels = {o.id: str(o.label) for o in q.options}
    st.markdown(f"**{md(q.prompt)}**")
    chosen = st.radio(
        _("Your prediction"),
        list(labels),
        format_func=labels.get,
        index=None,
        key=f"predict_{q.id}",
        horizontal=True,
    )
    shown = st.session_state.get(f"revealed_{q.id}", False)
    if not shown:
        st.button(
            _("Reveal the answer"),
            key=f"reveal_{q.id}",
            disabled=chosen is None,
            help=_("Predict first: choose an answer, then reveal the arithmetic."),
            on_click=callback(lambda: st.session_state.__setitem__(f"revealed_{q.id}", True)),
        )
        if chosen is None:
            st.caption(_("Choose your prediction to unlock the answer."))
        return
    if chosen == q.answer:
        st.success(_("Right: {answer}.", answer=labels[q.answer]))
    elif chosen is not None:
        st.warning(_("You said {chosen}; the answer is {answer}.", chosen=labels[chosen], answer=labels[q.answer]))
    else:
        st.info(_("The answer is {answer}.", answer=labels[q.answer]))
    show_reveal(q)


def open_step(step: lessons.Step) -> None:
    """Put the step's variant where its page reads it, then go there."""
    set_current_variant(step.variant)
    st.session_state["_base"] = step.variant
    if step.page == lessons.FORMULA and step.formula:
        st.session_state.pop("_formula_from_url", None)  # the Formula page reads its window from the link
        st.switch_page(step.page, query_params={k: str(v) for k, v in step.formula.items()})
    if step.page == lessons.COMPARE and step.compare:
        st.session_state["_compare_selection"] = list(step.compare)
        st.session_state["compare_loaded"] = True
    st.switch_page(step.page)


# --- the paper's augmentation ---------------------------------------------------------------------


@st.cache_data(max_entries=8, show_spinner=False)
def _resized(_image, key: str) -> augment.Resized:
    return augment.resize_256(_image)


def show_augmentation() -> None:
    st.markdown(f"#### {_('The paper’s augmentation, on a real photo')}")
    image, label = image_picker("lesson")
    if image is None:
        return
    resized = _resized(image, f"{label}:{image.size}")
    st.caption(md(resized.label))
    seed = st.session_state.setdefault("lesson_seed", 0)
    tab_crops, tab_ten, tab_pca = st.tabs([_("Random crops"), _("Ten crops at test time"), _("PCA colour")])
    with tab_crops:
        st.button(_("New sample"), key="lesson_new_crops", on_click=callback(_next_seed))
        crops = augment.random_crops(resized.image, 8, seed)
        cols = st.columns(4)
        for i, crop in enumerate(crops):
            cols[i % 4].image(crop.image, caption=md(crop.label), width="stretch")
        st.caption(md(augment.crop_count_note()))
    with tab_ten:
        ten = augment.ten_crops(resized.image)
        cols = st.columns(5)
        for i, crop in enumerate(ten):
            cols[i % 5].image(crop.image, caption=md(crop.label), width="stretch")
        st.caption(
            _(
                "The paper averages the network's softmax over these ten patches. Load the ImageNet weights "
                "on the Inside page to see the averaged predictions for the torchvision AlexNet."
            )
        )
        predictions = ten_crop_predictions(ten)
        if predictions:
            st.markdown("  \n".join(f"{md(name)}: {p:.1%}" for name, p in predictions))
    with tab_pca:
        sigma = st.slider(_("σ of α"), 0.0, 1.0, 0.1, 0.05, key="lesson_sigma", help=_("The paper uses σ = 0.1."))
        st.button(_("New sample"), key="lesson_new_alpha", on_click=callback(_next_seed))
        st.latex(augment.PCA_FORMULA)
        result = augment.pca_colour(resized.image, augment.sample_alphas(sigma, seed))
        left, right = st.columns(2)
        left.image(resized.image, caption=_("The 256×256 image"), width="stretch")
        right.image(result.image, caption=md(result.label), width="stretch")
        st.caption(str(augment.PCA_SOURCE))  # our text, with its file names as code


def _next_seed() -> None:
    st.session_state["lesson_seed"] = int(st.session_state.get("lesson_seed", 0)) + 1


def ten_crop_predictions(ten: list[augment.Crop]) -> list[tuple[str, float]]:
    """Top-5 of the 10-crop average when torchvision's ImageNet weights are on this server; else []."""
    from explorer import weights

    path = weights.find_cached()
    if path is None:
        return []
    model = _imagenet_model(str(path))
    if model is None:
        return []
    from explorer.activations import class_names
    from explorer.runtime import pick_device

    probs = augment.ten_crop_predict(model, ten, augment.imagenet_transform, pick_device())
    return augment.top_probabilities(probs, class_names())


@st.cache_resource(max_entries=1, show_spinner=False)
def _imagenet_model(path: str):
    from explorer import weights
    from explorer.build import build_model
    from explorer.presets import PRESETS
    from explorer.runtime import pick_device

    try:
        model = build_model(PRESETS["torchvision"], device=pick_device())
        weights.apply_state_dict(model, weights.load_state_dict_file(path))
    except (weights.WeightsError, OSError):
        return None
    return model.eval()


# --- the class poll: teacher ----------------------------------------------------------------------


def _open_room() -> None:
    try:
        room = store().open_room(token=teacher_token())
    except poll.PollError as exc:
        notify("error", md(exc.message))
        return
    st.session_state[ROOM] = (room.code, room.token)


def _resume_room() -> None:
    code = poll.normalize_code(st.session_state.get("poll_resume_code"))
    token = st.session_state.get("poll_resume_token")
    if code and isinstance(token, str) and store().is_teacher(code, token):
        st.session_state[ROOM] = (code, token)
    else:
        notify("error", _("That room code and teacher key do not match an open room."))


def _close_room() -> None:
    room = st.session_state.pop(ROOM, None)
    if room:
        store().close_room(*room)


def _ask(question: lessons.Question) -> None:
    code, token = st.session_state[ROOM]
    ack = store().open_question(
        code,
        token,
        question.id,
        prompt_key=question.prompt.key,
        prompt_params=dict(question.prompt.params),
        options=list(question.option_ids),
        correct=question.answer,
    )
    if not ack.accepted:
        notify("error", md(ack.message))


def _reveal_to_class(question: lessons.Question) -> None:
    code, token = st.session_state[ROOM]
    ack = store().reveal(code, token, question.id)
    if not ack.accepted:
        notify("error", md(ack.message))
    st.session_state[f"revealed_{question.id}"] = True


def teacher_panel(step: lessons.Step, present: bool) -> None:
    room = st.session_state.get(ROOM)
    if room is None:
        mine = store().rooms_of(teacher_token())
        if mine:  # this browser's room, from before a reload, a restart or a failover
            room = st.session_state[ROOM] = (mine[0], teacher_token())
            st.caption(_("Back in your room {code}.", code=" ".join(mine[0])))
    if room is None:
        st.markdown(_("Ask the whole class: students answer on their phones, and you see the tally live."))
        st.button(_("Open a class poll"), key="poll_open", on_click=callback(_open_room), type="primary")
        with st.expander(_("Resume a room opened in another browser")):
            st.text_input(_("Room code"), key="poll_resume_code", max_chars=16)
            st.text_input(_("Teacher key"), key="poll_resume_token", type="password", max_chars=128)
            st.button(_("Resume"), key="poll_resume", on_click=callback(_resume_room))
        return
    code, token = room
    state = store().room_state(code, token=token)
    if state is None:
        st.session_state.pop(ROOM, None)
        st.warning(_("The room {code} has expired or was closed. Open a new one.", code=code))
        return
    link = join_link(code)
    left, right = st.columns([2, 1])
    with left:
        st.markdown(_("Room code: **{code}**", code=" ".join(code)))
        st.code(link, language=None, wrap_lines=True)
        st.caption(_("Students scan the QR code or open the link, then answer on their phones."))
    right.image(qr_png(link), caption=_("Join the class poll"), width=240 if present else 180)
    q = step.question
    asked = state.question is not None and state.question.question_id == q.id
    c1, c2, c3 = st.columns(3)
    c1.button(
        _("Ask the class this question") if not asked else _("Ask it again"),
        key="poll_ask",
        on_click=callback(_ask),
        args=(q,),
        type="primary",
    )
    c2.button(
        _("Reveal to everyone"), key="poll_reveal", on_click=callback(_reveal_to_class), args=(q,), disabled=not asked
    )
    c3.button(_("Close the room"), key="poll_close", on_click=callback(_close_room))
    with st.expander(_("Teacher key (to take this room to another browser; do not project it)")):
        st.code(token, language=None)
    if asked:
        live_tally(code, token, q)


@st.fragment(run_every=REFRESH_S)
def live_tally(code: str, token: str, question: lessons.Question) -> None:
    state = store().room_state(code, token=token)
    if state is None or state.question is None or state.question.question_id != question.id:
        return
    labels = {o.id: str(o.label) for o in question.options}
    total = sum(state.tally.values())
    st.markdown(_("**{n}** answers so far", n=total))
    for option, count in state.tally.items():
        mark = " ✓" if state.question.revealed and option == question.answer else ""
        share = count / total if total else 0.0
        st.progress(share, text=f"{md(labels.get(option, option))}{mark}: {count} ({share:.0%})")


# --- the class poll: student ----------------------------------------------------------------------


def _send(code: str, question_id: str) -> None:
    option = st.session_state.get(f"poll_choice_{question_id}")
    ack = store().answer(code, question_id, voter_id(), option)
    st.session_state[f"poll_ack_{question_id}"] = (ack.accepted, ack.message)


@st.fragment(run_every=REFRESH_S)
def student_view(code: str) -> None:
    state = store().room_state(code, voter_id=voter_id())
    if state is None:
        st.error(_("This room has closed or expired. Ask your teacher for the new code."))
        return
    q = state.question
    if q is None:
        st.info(_("You are in room {code}. Wait for your teacher's first question.", code=" ".join(code)))
        return
    lesson_q = lessons.find_question(q.question_id)
    labels = {o.id: str(o.label) for o in lesson_q.options} if lesson_q else {o: o for o in q.options}
    st.markdown(f"### {md(q.prompt)}")
    ack = st.session_state.get(f"poll_ack_{q.question_id}")
    if state.your_answer is not None:
        st.success(_("Your answer is saved: {answer}.", answer=md(labels.get(state.your_answer, state.your_answer))))
    elif q.accepting:
        st.radio(
            _("Your answer"),
            list(q.options),
            format_func=lambda o: labels.get(o, o),
            index=None,
            key=f"poll_choice_{q.question_id}",
        )
        st.button(
            _("Send my answer"),
            key=f"poll_send_{q.question_id}",
            on_click=callback(_send),
            args=(code, q.question_id),
            type="primary",
        )
        if ack is not None and not ack[0]:
            st.warning(md(ack[1]))
    else:
        st.info(_("This question is closed."))
    if q.revealed and q.correct is not None:
        st.markdown(_("The answer: **{answer}**", answer=md(labels.get(q.correct, q.correct))))
        if state.your_answer == q.correct:
            st.success(_("You were right."))
        elif state.your_answer is not None:
            st.warning(_("Not this time: compare your answer with the arithmetic below."))
        total = sum(state.tally.values())
        for option, count in state.tally.items():
            share = count / total if total else 0.0
            mark = " ✓" if option == q.correct else ""
            st.progress(share, text=f"{md(labels.get(option, option))}{mark}: {count} ({share:.0%})")
        if lesson_q is not None:
            show_reveal(lesson_q)


def join_box(bad: bool) -> None:
    if bad:
        st.error(_("That is not a room code: codes are 6 letters and digits, like K7Q X2M. Check it and try again."))
    with st.form("poll_join"):
        typed = st.text_input(_("Room code"), max_chars=16, key="poll_join_code")
        if st.form_submit_button(_("Join")):
            code = poll.normalize_code(typed)
            if code is None or store().room_state(code) is None:
                st.error(_("No open room has that code. Check it with your teacher."))
            else:
                st.query_params["room"] = code
                st.rerun()


# --- the page -------------------------------------------------------------------------------------


@guarded
def main() -> None:
    present = page_setup(N_("Lessons and class poll"), "🎓")
    show_notices()
    if "room" in st.query_params:
        st.title(_("Class poll"))
        code = poll.normalize_code(st.query_params.get("room"))
        if code is None or store().room_state(code) is None:
            join_box(bad=True)
            return
        student_view(code)
        return
    st.title(_("Lessons"))
    st.caption(
        _("Predict first, then reveal the arithmetic. Every question is computed by the engine from its variant.")
    )
    with st.expander(_("Join a class poll with a code")):
        join_box(bad=False)
    all_lessons = {item.id: item for item in lessons.lessons()}
    if not st.session_state.get("_lesson_from_url"):  # ?lesson=gpus&step=2: a link to one step
        st.session_state["_lesson_from_url"] = True
        linked = str(st.query_params.get("lesson", ""))[:40]
        if linked in all_lessons:
            st.session_state["lesson"] = linked
            step = str(st.query_params.get("step", ""))[:4]
            if step.isdigit() and 1 <= int(step) <= len(all_lessons[linked].steps):
                st.session_state[f"lesson_step_{linked}"] = int(step) - 1
    if st.session_state.get("lesson") not in all_lessons:
        st.session_state["lesson"] = next(iter(all_lessons))
    lesson_id = st.selectbox(
        _("Lesson"),
        list(all_lessons),
        format_func=bind(lambda i: f"{list(all_lessons).index(i) + 1}. {all_lessons[i].title}"),
        key="lesson",
    )
    item = all_lessons[lesson_id]
    st.caption(md(item.summary))
    steps = item.steps
    step_key = f"lesson_step_{item.id}"
    index = st.session_state.get(step_key, 0)
    if not isinstance(index, int) or not 0 <= index < len(steps):
        index = 0
    st.session_state[step_key] = index
    step = steps[index]
    keep_query({"lesson": item.id, "step": str(index + 1)})
    st.subheader(_("Step {i} of {n}: {title}", i=index + 1, n=len(steps), title=step.title))
    for paragraph in step.text:
        st.markdown(md(paragraph))
    if st.button(_(OPEN_LABELS[step.page]), key="lesson_open"):
        open_step(step)
    show_question(step)
    if step.shows == lessons.AUGMENT:
        show_augmentation()
    prev, nxt = st.columns(2)
    prev.button(
        _("← Previous step"),
        key="lesson_prev",
        disabled=index == 0,
        on_click=callback(_move),
        args=(step_key, -1, len(steps)),
    )
    nxt.button(
        _("Next step →"),
        key="lesson_next",
        disabled=index == len(steps) - 1,
        on_click=callback(_move),
        args=(step_key, 1, len(steps)),
    )
    st.divider()
    st.subheader(_("Class poll"))
    teacher_panel(step, present)


def _move(step_key: str, delta: int, count: int) -> None:
    index = int(st.session_state.get(step_key, 0)) + delta
    st.session_state[step_key] = max(0, min(count - 1, index))


main()
