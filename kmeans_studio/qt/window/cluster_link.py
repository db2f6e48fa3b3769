"""File ▸ Connect to cluster… and the dask dashboard's link in the status bar.

Tables clustered on a dask cluster (`core.data.distributed`) use the window's one
cluster: a LocalCluster started on first use, or the scheduler the user connected to
(kept in the settings).  Nothing of dask is imported until a table needs it or the user
connects.
"""

from __future__ import annotations

import sys
from html import escape

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QInputDialog, QLabel, QLineEdit, QStatusBar, QWidget

from kmeans_studio.core.checks import scheduler_address
from kmeans_studio.qt.jobs import BackgroundJob

MODULE = "kmeans_studio.core.data.distributed"


def _cluster_module(load: bool = False):
    """`core.data.distributed` when loaded (or `load`): never loaded just to ask."""
    if load:
        import importlib

        return importlib.import_module(MODULE)
    return sys.modules.get(MODULE)


class ClusterLink(QObject):
    """The cluster the window's tables run on: `ask` (Connect to cluster…), `connect_to`
    (off the GUI thread, with progress and Cancel), and `link`, the dashboard's address
    in the status bar while a cluster runs.

    Signals
    -------
    said(str)
        A sentence for a message box (an address refused, a scheduler not reached).
    noted(str, int)
        A note for the status bar, and for how many milliseconds.
    busy(str, int, int)
        Connecting (what, 0, 0); "" when it ended.
    connected()
        The window's cluster changed: data held by the former one are gone.
    """

    said = Signal(str)
    noted = Signal(str, int)
    busy = Signal(str, int, int)
    connected = Signal()

    def __init__(self, settings, bar: QStatusBar, parent: QWidget) -> None:
        super().__init__(parent)
        self.settings, self._widget = settings, parent
        self.link = QLabel()
        self.link.setObjectName("dashboard_link")
        self.link.setAccessibleName("The dask cluster's dashboard")
        self.link.setToolTip("The dask dashboard: the workers, their memory and tasks, "
                             "in your web browser")
        self.link.setOpenExternalLinks(True)
        self.link.hide()
        bar.addPermanentWidget(self.link)
        self._job = BackgroundJob("cluster-connect")
        self._job.succeeded.connect(self._connected)
        self._job.failed.connect(self._failed)
        self._job.cancelled.connect(lambda: self.busy.emit("", 0, 0))
        address = settings["cluster/address"]
        if address:  # where the first table on a cluster will run (not connected yet)
            _cluster_module(load=True).use_address(address)

    @property
    def connecting(self) -> bool:
        return self._job.running

    def ask(self) -> None:
        """File ▸ Connect to cluster…: the scheduler's address, then `connect_to`."""
        text, ok = QInputDialog.getText(
            self._widget, "Connect to cluster",
            "The address of a dask scheduler (tcp://host:8786), or nothing for a "
            "cluster on this computer:", QLineEdit.EchoMode.Normal,
            scheduler_address(self.settings["cluster/address"]))
        if ok:
            self.connect_to(text)

    def connect_to(self, text: str) -> bool:
        """Connect to the scheduler at `text` ("" for one on this computer) off the GUI
        thread; False, with a sentence, when the address is refused at once."""
        try:
            address = scheduler_address(text)
        except ValueError as exc:
            self.said.emit(str(exc))
            return False
        where = address or "a cluster on this computer"
        self.busy.emit(f"Connecting to {where}…", 0, 0)
        def work(cancelled, progress):
            dashboard = _cluster_module(load=True).connect(address, cancelled)
            return None if dashboard is None else (address, dashboard)

        self._job.start(work)
        return True

    def cancel(self) -> None:
        """Stop waiting for the scheduler (the cluster used before stays)."""
        if self._job.running:
            self._job.cancel(wait=False)
            self.busy.emit("", 0, 0)

    def shutdown(self) -> None:
        """Stop connecting and stop the window's cluster (its workers end with it)."""
        self.cancel()
        cluster = _cluster_module()
        if cluster is not None:
            cluster.close_shared_client()

    def _connected(self, result) -> None:
        address, dashboard = result
        self.busy.emit("", 0, 0)
        self.settings["cluster/address"] = address
        self.noted.emit(f"Connected to {address or 'a cluster on this computer'}.", 8000)
        self.show_link()
        self.connected.emit()

    def _failed(self, message: str) -> None:
        self.busy.emit("", 0, 0)
        self.said.emit(message)

    def show_link(self) -> None:
        """Show the running cluster's dashboard link (hidden when none runs)."""
        cluster = _cluster_module()
        link = cluster.dashboard_link() if cluster is not None else ""
        if link:
            self.link.setText(f"<a href='{escape(link)}'>dask dashboard</a>")
            # (a status bar lays out its permanent widgets again only when asked)
            self.link.setMinimumWidth(self.link.sizeHint().width())
        self.link.setVisible(bool(link))
