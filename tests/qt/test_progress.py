"""Long work shows progress with Cancel; cancelling keeps what was on screen."""

from .helpers import settle, wait_state


def test_many_starts_show_progress_and_cancel_keeps_the_previous_run(window, qtbot):
    panel = window.pages["blobs"].panel
    panel.data.n_samples.setValue(100_000)
    before = wait_state(qtbot, window, lambda s: s.dataset.n_samples == 100_000
                        and s.iteration is not None, timeout=60_000)
    panel.run.n_init.setValue(100)
    qtbot.waitUntil(window.progress.isVisible, timeout=20_000)
    assert window.cancel_button.isVisible()
    assert window.progress.format().startswith("Start ")
    assert window.progress.maximum() == 100
    window.cancel_button.click()
    qtbot.waitUntil(lambda: not window.progress.isVisible(), timeout=5_000)
    settle(qtbot, window.controller)
    snap = window.controller.snapshot
    assert snap.request is before.request  # the run on screen is the one from before
    assert snap.start is None
    # Later commands work as usual.
    window.actions["step"].trigger()
    wait_state(qtbot, window, lambda s: s.index == 1 and s.request is before.request)


def test_escape_cancels_running_to_convergence(window, qtbot):
    panel = window.pages["blobs"].panel
    panel.data.n_samples.setValue(300_000)
    panel.run.n_clusters.setValue(40)
    panel.run.tol.setCurrentIndex(panel.run.tol.findData(0.0))  # until no label changes
    wait_state(qtbot, window, lambda s: s.dataset.n_samples == 300_000
               and s.iteration is not None and s.iteration.n_clusters == 40, timeout=60_000)
    window.actions["run_to_end"].trigger()
    qtbot.waitUntil(window.progress.isVisible, timeout=20_000)
    assert "Running to convergence" in window.progress.format()
    window.actions["cancel"].trigger()
    qtbot.waitUntil(lambda: not window.progress.isVisible(), timeout=5_000)
    settle(qtbot, window.controller)
    assert not window.controller.snapshot.done
    assert not window.actions["cancel"].isEnabled()
