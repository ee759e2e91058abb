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
