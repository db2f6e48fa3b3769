"""Special files for the tests: a named pipe, a link to /dev/zero and a folder under a
name a reader would open, and a guard that turns a read stuck on a pipe into a
failure instead of a hung test."""

import contextlib
import os
import threading

#: What a refusal of each kind of special file says.
SAID = {"fifo": "named pipe", "zero": "a device", "folder": "a folder"}


def special_files(folder, name):
    """{kind: path} of a named pipe, a link to /dev/zero and a folder, each named
    ``<kind>-<name>`` in `folder` (so that its suffix is `name`'s)."""
    fifo, zero, directory = (folder / f"{kind}-{name}" for kind in SAID)
    os.mkfifo(fifo)
    zero.symlink_to("/dev/zero")
    directory.mkdir()
    return {"fifo": fifo, "zero": zero, "folder": directory}


@contextlib.contextmanager
def unblocked(*fifos, after=60.0):
    """Within it, a reader stuck opening one of `fifos` (the code under test is wrong)
    is freed after `after` seconds by opening the pipe's other end.  Yields a list
    that says which pipes had to be freed: a test asserts it empty."""
    done, freed = threading.Event(), []

    def free() -> None:
        if done.wait(after):
            return
        for fifo in fifos:
            try:  # succeeds only while a reader waits on it
                fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:
                continue
            freed.append(fifo)
            os.close(fd)

    guard = threading.Thread(target=free, name="fifo-guard", daemon=True)
    guard.start()
    try:
        yield freed
    finally:
        done.set()
        guard.join()
