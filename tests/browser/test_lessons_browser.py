"""The Lessons page in Chromium: a lesson end to end, and a class poll with a teacher and three
students (each its own browser context, so its own cookie and voter id), plus a second tab of one
student's browser that must not count twice."""

from __future__ import annotations

import re

import pytest

from .conftest import screenshot, wait_idle

pytestmark = pytest.mark.browser
FIRST = "mystery.conv1-224"


def key(page, k):
    return page.locator(f".st-key-{k.replace('.', '-')}")  # Streamlit writes a key's dots as dashes


def open_lessons(context, query=""):
    page = context.new_page()
    page.goto(f"{context.base}/Lessons{query}")
    page.locator('[data-testid="stMain"]').get_by_text(re.compile("Lessons|Class poll|课程")).first.wait_for(
        timeout=90_000
    )
    wait_idle(page)
    return page


def new_context(browser, server_url, **kw):
    context = browser.new_context(**({"viewport": {"width": 1400, "height": 1000}} | kw))
    context.base = server_url
    return context


def test_a_lesson_end_to_end(browser, server_url):
    context = new_context(browser, server_url)
    try:
        page = open_lessons(context)
        for lesson_step in range(4):
            radio = page.locator('[data-testid="stRadio"]').first
            radio.get_by_text(re.compile(r"^\d")).first.click()
            wait_idle(page)
            page.get_by_role("button", name="Reveal the answer").click()
            wait_idle(page)
            main = page.locator('[data-testid="stMain"]')
            assert main.get_by_text(re.compile("Right:|You said")).count() >= 1
            if lesson_step == 0:
                assert main.get_by_text("⌊(224 − 11)/4⌋ + 1 = ⌊53.25⌋ + 1 = 54").count() >= 1
                screenshot(page, "lessons-step1-revealed")
            if lesson_step < 3:
                page.get_by_role("button", name="Next step →").click()
                wait_idle(page)
        # the last step of the first lesson shows the paper's augmentation on a sample photo
        assert page.get_by_text("Random crops").count() >= 1
        page.get_by_text("Random crops").first.scroll_into_view_if_needed()
        page.locator('[data-testid="stImage"] img').first.wait_for(timeout=30_000)
        screenshot(page, "lessons-augmentation")
        page.get_by_role("tab", name="PCA colour").click()
        page.get_by_text(re.compile("PCA colour: α")).first.wait_for(timeout=30_000)
        page.get_by_text(re.compile("PCA colour: α")).first.scroll_into_view_if_needed()
        screenshot(page, "lessons-pca-colour")
        page.get_by_role("button", name="Open it on the Build page").click()
        page.wait_for_url(re.compile(r"/(\?.*)?$"), timeout=60_000)
        wait_idle(page)
    finally:
        context.close()


def test_class_poll_with_a_teacher_and_three_students(browser, server_url):
    teacher_ctx = new_context(browser, server_url, viewport={"width": 1024, "height": 768})
    students = [
        new_context(browser, server_url, viewport={"width": 390, "height": 844}, is_mobile=True) for _ in range(3)
    ]
    try:
        teacher = open_lessons(teacher_ctx, "?present=1")
        teacher.get_by_role("button", name="Open a class poll").click()
        wait_idle(teacher)
        code_text = teacher.locator('[data-testid="stMain"]').get_by_text(re.compile("Room code: ")).first.inner_text()
        code = re.search(r"Room code:\s*([A-Z0-9 ]+)", code_text).group(1).replace(" ", "")
        assert len(code) == 6
        teacher.get_by_role("button", name="Ask the class this question").click()
        wait_idle(teacher)
        screenshot(teacher, "poll-teacher-asked")

        picks = ["54", "55", "54"]
        pages = []
        for ctx, pick in zip(students, picks):
            phone = open_lessons(ctx, f"?room={code}")
            phone.get_by_text(re.compile("how many outputs per side")).first.wait_for(timeout=30_000)
            key(phone, f"poll_choice_{FIRST}").get_by_text(pick, exact=True).click()
            wait_idle(phone)
            phone.get_by_role("button", name="Send my answer").click()
            phone.get_by_text(f"Your answer is saved: {pick}.").wait_for(timeout=30_000)
            pages.append(phone)
        screenshot(pages[0], "poll-student-phone-answered")

        # a second tab of the first student's browser: the same voter, so nothing more is counted
        again = open_lessons(students[0], f"?room={code}")
        again.get_by_text("Your answer is saved: 54.").wait_for(timeout=30_000)

        # the teacher's tally refreshes by itself (st.fragment run_every)
        teacher.get_by_text("3 answers so far").wait_for(timeout=30_000)
        teacher.get_by_role("button", name="Reveal to everyone").click()
        wait_idle(teacher)
        for phone, pick in zip(pages, picks):
            phone.get_by_text("The answer: 54").wait_for(timeout=30_000)
            verdict = "You were right." if pick == "54" else "Not this time"
            phone.get_by_text(re.compile(verdict)).first.wait_for(timeout=30_000)
        screenshot(pages[1], "poll-student-phone-revealed")
        screenshot(teacher, "poll-teacher-revealed")

        # a reload of the teacher's page (a new session of the same browser) finds the room again
        teacher.reload()
        wait_idle(teacher)
        teacher.get_by_text(re.compile(r"Back in your room")).first.wait_for(timeout=30_000)
    finally:
        teacher_ctx.close()
        for ctx in students:
            ctx.close()


def test_a_hostile_room_link(browser, server_url):
    context = new_context(browser, server_url)
    try:
        page = open_lessons(context, "?room=%5Bx%5D(javascript:alert(1))")
        page.get_by_text(re.compile("not a room code")).first.wait_for(timeout=30_000)
        assert page.locator('[data-testid="stMain"] a[href^="javascript"]').count() == 0
    finally:
        context.close()
