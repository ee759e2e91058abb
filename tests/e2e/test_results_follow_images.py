"""Results stay with their image: marked when saved, grouped by job, shown in their own tab.

The window runs against the in-process emulator in Demo mode, as in test_gui_flow.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageCms

from desktop_editor.jobs.model import JobState
from test_gui_flow import DATA, TIMEOUT_MS, generate, gui, messages, open_astronaut, paint_stroke, set_prompt, wait_final  # noqa: F401

ICC = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def open_file(qtbot, window, path: Path):
    with qtbot.waitSignal(window.document_opened, timeout=TIMEOUT_MS) as opened:
        window.open_path(path)
    return opened.args[0]


def edit(qtbot, window, prompt: str, points=((200, 200), (300, 260))):
    paint_stroke(window, list(points))
    set_prompt(window, prompt)
    job = wait_final(qtbot, window, generate(qtbot, window))
    assert job.state is JobState.DONE, job.error
    return job


def shown_after(window):
    return window.compare_view.after_image()


def test_auto_saved_results_keep_the_originals_dpi_and_profile(qtbot, gui):
    window = gui.open_window()
    photo = gui.tmp_path / "print.jpg"
    Image.open(DATA / "astronaut.png").convert("RGB").save(photo, quality=92, dpi=(300, 300), icc_profile=ICC)
    open_file(qtbot, window, photo)
    for keep in (True, False):  # composited into the original, and the service's bytes kept as they are
        window.params_panel.set_options(keep_unmasked=keep)
        job = edit(qtbot, window, f"keep outside: {keep}")
        assert job.options.source_image == str(photo)
        with Image.open(job.result_paths[0]) as result:
            assert result.info.get("icc_profile") == ICC
            assert tuple(round(v) for v in result.info["dpi"]) == (300, 300)


def test_the_strip_offers_every_edit_of_the_image_newest_first(qtbot, gui):
    window = gui.open_window()
    document = open_astronaut(qtbot, window)
    first = edit(qtbot, window, "A red visor")
    second = edit(qtbot, window, "A blue visor")
    strip = window.results_strip
    qtbot.waitUntil(lambda: strip.count() == 2, timeout=TIMEOUT_MS)
    captions = strip.captions()
    assert len(captions) == 2 and "A blue visor" in captions[0] and "A red visor" in captions[1]
    assert [item.path for item in strip.results()] == [second.result_paths[0], first.result_paths[0]]
    assert all(tile.saved for tile in strip.tiles())
    # The older edit's result is one click away, in the same tab.
    with qtbot.waitSignal(window.flow.result_shown, timeout=TIMEOUT_MS) as shown:
        strip.select(1)
    assert shown.args[0].job.id == first.id and window.current_document() is document
    qtbot.waitUntil(lambda: strip.selected_index() == 1)
    assert window.flow.shown_results().job.id == first.id
    # Switching images and back keeps the choice.
    other = open_file(qtbot, window, DATA / "chelsea.png")
    assert strip.count() == 0
    window.set_current_document(document)
    qtbot.waitUntil(lambda: strip.count() == 2 and strip.selected_index() == 1, timeout=TIMEOUT_MS)
    assert other in window.documents()


def test_a_jobs_result_shows_in_its_own_images_tab(qtbot, gui):
    window = gui.open_window()
    astronaut = open_astronaut(qtbot, window)
    job = edit(qtbot, window, "A golden visor")
    cat = open_file(qtbot, window, DATA / "chelsea.png")
    assert window.current_document() is cat
    with qtbot.waitSignal(window.flow.result_shown, timeout=TIMEOUT_MS) as shown:
        window.flow.show_job_results(window.jobs_panel.job(job.id))
    assert shown.args[0].document is astronaut and window.current_document() is astronaut
    qtbot.waitUntil(window.is_compare_page, timeout=TIMEOUT_MS)
    # The before/after is the astronaut's, as the tab, the panel and the title say.
    assert window.compare_view.before_image().size() == astronaut.image.size()
    assert "astronaut" in window.windowTitle() and "astronaut" in window.docks.results.windowTitle()

    # Its tab closed: the image is opened again rather than shown inside the cat's tab.
    assert window.close_document(astronaut, ask=False)
    window.set_current_document(cat)
    with qtbot.waitSignal(window.document_opened, timeout=TIMEOUT_MS) as opened:
        window.jobs_panel.select_job(job.id)
    reopened = opened.args[0]
    qtbot.waitUntil(lambda: window.flow.shown_results() is not None
                    and window.flow.shown_results().document is reopened, timeout=TIMEOUT_MS)
    assert window.current_document() is reopened and reopened.path == DATA / "astronaut.png"
    assert [d.name for d in window.documents()].count("astronaut.png") == 1


def test_reopen_focuses_the_open_tab_and_brings_the_results(qtbot, gui):
    window = gui.open_window()
    astronaut = open_astronaut(qtbot, window)
    job = edit(qtbot, window, "A golden visor")
    open_file(qtbot, window, DATA / "chelsea.png")
    window.flow.forget_document(astronaut)  # as after a restart: no results held for the image
    assert window.flow.results_for(astronaut) == []
    assert window.flow.reopen_job(window.flow.service.store.get(job.id))
    assert window.current_document() is astronaut and len(window.documents()) == 2
    strip = window.results_strip
    qtbot.waitUntil(lambda: strip.count() == 1, timeout=TIMEOUT_MS)
    assert strip.results()[0].path == job.result_paths[0] and strip.tiles()[0].saved
    assert "Results strip" in window.statusBar().currentMessage()


def test_reopen_after_a_restart_brings_the_results_into_the_strip(qtbot, gui):
    window = gui.open_window()
    open_astronaut(qtbot, window)
    job = edit(qtbot, window, "A golden visor")
    window.close()
    again = gui.open_window()
    with qtbot.waitSignal(again.document_opened, timeout=TIMEOUT_MS) as opened:
        assert again.flow.reopen_job(again.flow.service.store.get(job.id))
    assert opened.args[0].path == DATA / "astronaut.png"  # the file that was edited, not the job's copy
    qtbot.waitUntil(lambda: again.results_strip.count() == 1, timeout=TIMEOUT_MS)
    assert again.results_strip.tiles()[0].saved


def test_selecting_a_history_item_switches_to_its_images_tab_and_a_reload_does_not(qtbot, gui):
    window = gui.open_window()
    astronaut = open_astronaut(qtbot, window)
    paint_stroke(window, [(250, 250), (300, 300)])
    set_prompt(window)
    job_id = generate(qtbot, window)
    assert wait_final(qtbot, window, job_id).state is JobState.DONE
    with qtbot.waitSignal(window.document_opened, timeout=TIMEOUT_MS) as opened:
        window.open_path(DATA / "chelsea.png")
    chelsea = opened.args[0]
    assert window.current_document() is chelsea
    history = window.history_panel
    qtbot.waitUntil(lambda: any(job.id == job_id for job in history.jobs()), timeout=TIMEOUT_MS)
    history.select_job(job_id)
    assert window.current_document() is astronaut
    window.set_current_document(chelsea)
    with qtbot.waitSignal(history.list_loaded, timeout=TIMEOUT_MS):
        history.refresh()  # the selection kept across a reload is not a new choice
    assert history.selected_job().id == job_id and window.current_document() is chelsea


def test_results_are_numbered_per_image_in_the_order_made_in_the_strip_files_and_mix(qtbot, gui, monkeypatch):
    from dataclasses import replace

    from test_mix_flow import enter_mix

    from desktop_editor.ui.panels import result_save_dialog

    window = gui.open_window()
    open_astronaut(qtbot, window)
    first = edit(qtbot, window, "A red visor")
    window.params_panel.set_params(replace(window.params_panel.params(), num_images=2))
    second = edit(qtbot, window, "Two blue visors")
    strip = window.results_strip
    qtbot.waitUntil(lambda: strip.count() == 3, timeout=TIMEOUT_MS)
    assert [item.label for item in strip.results()] == ["Result 2", "Result 3", "Result 1"]
    assert [t.label for t in strip.tiles()] == ["Result 2", "Result 3", "Result 1"]
    names = [Path(p).name for p in (*first.result_paths, *second.result_paths)]
    stems = [name.rsplit(".", 1)[0] for name in names]
    assert stems == ["astronaut-edit-1", "astronaut-edit-2", "astronaut-edit-3"]
    # Save As proposes the saved file's name and format, never the saved file itself.
    proposed = []
    monkeypatch.setattr(result_save_dialog.QFileDialog, "getSaveFileName",
                        staticmethod(lambda parent, title, suggested, filters: (proposed.append(suggested), ("", ""))[1]))
    strip.select(2)
    strip.save_selected_as()
    saved = Path(first.result_paths[0])
    assert proposed == [str(saved.with_name(f"{saved.stem}-2{saved.suffix}"))]
    # Mix calls them by the same numbers, and its keys 1-3 pick them in that order.
    window.compare_view.setFocus()
    session = enter_mix(qtbot, window)
    assert [s.label for s in session.sources] == ["Result 1", "Result 2", "Result 3"]
    assert [s.path for s in session.sources] == [Path(p) for p in (*first.result_paths, *second.result_paths)]
