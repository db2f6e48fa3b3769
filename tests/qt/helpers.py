"""Helpers shared by the Qt tests."""


def wait_state(qtbot, window, predicate, timeout=20_000):
    """Wait until the controller has painted a snapshot satisfying `predicate`."""
    def ready():
        snap = window.controller.snapshot
        return snap is not None and predicate(snap)
    qtbot.waitUntil(ready, timeout=timeout)
    return window.controller.snapshot
