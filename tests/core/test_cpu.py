"""The image-work budget: at most SLOTS holders at once, re-entrant on one thread."""

import threading
import time

from desktop_editor.core import cpu


def test_nested_use_on_one_thread_takes_one_slot():
    with cpu.image_work():
        with cpu.image_work():  # would deadlock with SLOTS == 1 if it took a second slot
            pass
    # every slot is free again: SLOTS threads can hold one at the same time
    inside = threading.Barrier(cpu.SLOTS, timeout=5)

    def hold():
        with cpu.image_work():
            inside.wait()

    threads = [threading.Thread(target=hold) for _ in range(cpu.SLOTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert not inside.broken


def test_no_more_than_slots_holders_at_once():
    lock = threading.Lock()
    current, peak = [0], [0]

    def work():
        with cpu.image_work():
            with lock:
                current[0] += 1
                peak[0] = max(peak[0], current[0])
            time.sleep(0.02)
            with lock:
                current[0] -= 1

    threads = [threading.Thread(target=work) for _ in range(cpu.SLOTS + 3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert peak[0] == cpu.SLOTS


def test_a_failing_step_gives_its_slot_back():
    for _ in range(cpu.SLOTS + 1):
        try:
            with cpu.image_work():
                raise RuntimeError("boom")
        except RuntimeError:
            pass
    acquired = threading.Event()

    def take():
        with cpu.image_work():
            acquired.set()

    t = threading.Thread(target=take)
    t.start()
    t.join(5)
    assert acquired.is_set()


def _hold(urgent: bool, started: threading.Event, release: threading.Event) -> threading.Thread:
    def run():
        with cpu.image_work(urgent=urgent):
            started.set()
            release.wait(5)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_urgent_work_does_not_wait_for_background_work():
    release = threading.Event()
    holders = [_hold(False, threading.Event(), release) for _ in range(cpu.SLOTS)]
    time.sleep(0.05)  # every background slot is taken
    urgent_started = threading.Event()
    urgent = _hold(True, urgent_started, release)
    try:
        assert urgent_started.wait(2)  # the designer's result is decoded at once
    finally:
        release.set()
        for t in [*holders, urgent]:
            t.join(5)


def test_background_work_yields_to_urgent_work_and_urgent_runs_one_at_a_time():
    release_first = threading.Event()
    first_started = threading.Event()
    first = _hold(True, first_started, release_first)
    assert first_started.wait(2)
    second_started, background_started = threading.Event(), threading.Event()
    release_rest = threading.Event()
    second = _hold(True, second_started, release_rest)
    background = _hold(False, background_started, release_rest)
    try:
        time.sleep(0.1)
        assert not second_started.is_set()  # one urgent task at a time
        assert not background_started.is_set()  # no new background step while urgent work waits
        release_first.set()
        assert second_started.wait(2)
        time.sleep(0.05)
        assert not background_started.is_set()
        release_rest.set()
        assert background_started.wait(2)
    finally:
        release_first.set()
        release_rest.set()
        for t in (first, second, background):
            t.join(5)


def test_background_threads_run_at_a_lower_priority_and_urgent_ones_do_not():
    import os
    import sys

    if not sys.platform.startswith("linux"):
        return  # per-thread priorities are only set on Linux
    seen: dict[str, int] = {}

    def run(urgent: bool) -> None:
        with cpu.image_work(urgent=urgent):
            seen["urgent" if urgent else "background"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    base = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    for urgent in (False, True):
        t = threading.Thread(target=run, args=(urgent,))
        t.start()
        t.join(5)
    assert seen["urgent"] == base
    assert seen["background"] == min(19, base + cpu.BACKGROUND_NICE)


def test_worker_steps_hold_back_while_the_designer_paints():
    """Between strips a worker waits for the stroke to end; a background step does not start."""
    events: list[str] = []

    def strip_loop():
        cpu.wait_while_painting()
        events.append("strip")

    def background_step():
        with cpu.image_work():
            events.append("background")

    cpu.painting_started()
    try:
        threads = [threading.Thread(target=strip_loop), threading.Thread(target=background_step)]
        for t in threads:
            t.start()
        time.sleep(0.2)
        assert events == []  # both still held back
        cpu.wait_while_painting()  # the window's own thread never waits
        events.append("painted")
    finally:
        cpu.painting_ended()
    for t in threads:
        t.join(5)
    assert events[0] == "painted" and sorted(events[1:]) == ["background", "strip"]
    assert not cpu.is_painting()


def test_a_stroke_whose_end_never_comes_holds_work_back_only_so_long(monkeypatch):
    monkeypatch.setattr(cpu, "PAINTING_HOLD_LIMIT_S", 0.2)
    cpu.painting_started()
    try:
        done = threading.Event()
        worker = threading.Thread(target=lambda: (cpu.wait_while_painting(), done.set()))
        started = time.monotonic()
        worker.start()
        assert done.wait(5)
        assert 0.1 <= time.monotonic() - started < 3
    finally:
        cpu.painting_ended()


def test_the_pieces_of_a_background_step_run_at_its_priority_not_below_it():
    import os
    import sys

    from desktop_editor.core.daemon_pool import DaemonPool

    if not sys.platform.startswith("linux"):
        return  # per-thread priorities are only set on Linux

    def priority() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    seen: dict[str, int] = {}

    def step() -> None:  # image threads started from this lowered thread, as `core.parallel`'s are
        with cpu.image_work():
            seen["step"] = priority()
            pool = DaemonPool(1, initializer=cpu.lower_thread_priority)
            seen["piece"] = pool.submit(priority).result(timeout=10)
            pool.shutdown()

    main = priority()
    t = threading.Thread(target=step)
    t.start()
    t.join(10)
    assert seen["step"] == min(19, main + cpu.BACKGROUND_NICE)
    if os.getpriority(os.PRIO_PROCESS, os.getpid()) == main:  # the process's level is this thread's
        assert seen["piece"] == seen["step"]  # not lowered a second time
