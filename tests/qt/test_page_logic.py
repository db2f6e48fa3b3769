"""Pages without a window: each page (its panel and its page class) built against a
mocked run controller and mocked file handling, checking what it asks for — in
milliseconds, as ndv tests its controller against a mocked view."""

from unittest.mock import MagicMock

import pytest

from kmeans_studio.core.color.images import IMAGE_SUFFIXES
from kmeans_studio.core.data.tables import TABLE_SUFFIXES
from kmeans_studio.qt.controller import RunController
from kmeans_studio.qt.jobs import BackgroundJob
from kmeans_studio.qt.pages import PAGES, BlobsPage, DigitsPage, ImagePage, TablePage
from kmeans_studio.qt.pages.base import FileRequests
from kmeans_studio.qt.settings import Settings


@pytest.fixture
def make_page(qtbot):
    """Build a page of a kind with a mocked controller; its widgets go at teardown."""
    made = []

    def make(kind):
        page = kind(Settings(), MagicMock(spec=RunController))
        qtbot.addWidget(page.panel)
        made.append(page)
        return page

    yield make
    for page in made:
        page.shutdown()
        if page.views is not None:
            page.area.deleteLater()


def test_every_page_in_the_registry_has_its_own_key_title_and_data_kind():
    assert [page.key for page in PAGES] == ["blobs", "digits", "image", "table"]
    for attribute in ("key", "title", "data_kind"):
        values = [getattr(page, attribute) for page in PAGES]
        assert all(values) and len(set(values)) == len(values)


def test_a_page_asks_nothing_of_its_run_until_it_is_shown_or_changed(make_page):
    for kind in PAGES:
        page = make_page(kind)
        assert not page.started and not page.built
        page.controller.start.assert_not_called()
        page.start_once()
        page.start_once()  # kept: shown again, the page keeps its run
        page.controller.start.assert_called_once()
        assert page.controller.start.call_args.args[0].data_key == page.panel.request().data_key


def test_changing_k_on_the_blobs_panel_makes_one_request_with_that_k(make_page, qtbot):
    page = make_page(BlobsPage)
    k = page.panel.run.n_clusters
    for value in (5, 6, 7):  # quick edits: one request, with the last value
        k.setValue(value)
    qtbot.waitUntil(lambda: page.controller.start.called, timeout=5000)
    qtbot.waitUntil(lambda: not page.panel.pending)
    page.controller.start.assert_called_once()
    request = page.controller.start.call_args.args[0]
    assert request.n_clusters == 7
    assert page.started


def test_changing_k_on_the_image_panel_asks_for_that_many_colours(make_page):
    page = make_page(ImagePage)
    page.panel.params.n_clusters.setValue(5)
    page.controller.start.assert_called_once()
    assert page.controller.start.call_args.args[0].n_clusters == 5


def test_the_image_pages_cancel_hook_cancels_its_comparison(make_page):
    page = make_page(ImagePage)
    page.cancel()  # not built yet: nothing runs, nothing to cancel
    page.build()
    page.comparison = MagicMock(spec=BackgroundJob)
    page.cancel()
    page.comparison.cancel.assert_called_once_with(wait=False)
    page.controller.cancel.assert_not_called()  # the run is the window's to cancel


def test_each_page_offers_its_own_files_first(make_page):
    assert TablePage.open_filter == "Tables ({})".format(
        " ".join(f"*{s}" for s in TABLE_SUFFIXES))
    assert DigitsPage.open_filter == "Labelled images (*.npz)"
    assert all(f"*{s}" in ImagePage.open_filter for s in IMAGE_SUFFIXES)
    assert BlobsPage.open_filter == ""  # opens no files
    for kind in (DigitsPage, ImagePage, TablePage):
        page, files = make_page(kind), MagicMock(spec=FileRequests)
        page.connect(files)
        page.panel.open_requested.emit()
        files.open_dialog.assert_called_once_with(kind.open_filter)


def test_the_table_and_image_pages_route_columns_and_paste(make_page):
    table, files = make_page(TablePage), MagicMock(spec=FileRequests)
    table.connect(files)
    table.panel.columns_requested.emit()
    files.choose_columns.assert_called_once_with()
    image = make_page(ImagePage)
    image.connect(files)
    image.panel.paste_requested.emit()
    files.paste.assert_called_once_with()
    files.open_dialog.assert_not_called()


def test_only_the_image_page_saves_a_result_and_only_with_one(make_page):
    with_result, without = MagicMock(derived=object()), MagicMock(derived=None)
    assert ImagePage.saves_result(make_page(ImagePage), with_result)
    assert not ImagePage.saves_result(make_page(ImagePage), without)
    for kind in (BlobsPage, DigitsPage, TablePage):
        page = make_page(kind)
        assert not page.saves_result(with_result) and page.result() is None


def test_view_options_wait_for_the_blobs_views_and_then_apply(make_page):
    page = make_page(BlobsPage)
    page.set_view_options(show_voronoi=False)
    page.build()
    assert page.scatter.show_voronoi is False and page.scatter.show_trails is True
    page.set_view_options(show_trails=False)
    assert page.scatter.show_trails is False
    for kind in (DigitsPage, ImagePage, TablePage):  # the other pages ignore them
        make_page(kind).set_view_options(show_voronoi=False, show_trails=False)
