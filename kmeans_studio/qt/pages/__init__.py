"""One folder per page of the window (its panel and its page class), and the registry
`PAGES` the window builds them from."""

from kmeans_studio.qt.pages.blobs.page import BlobsPage
from kmeans_studio.qt.pages.digits.page import DigitsPage
from kmeans_studio.qt.pages.image.page import ImagePage
from kmeans_studio.qt.pages.table.page import TablePage

#: The pages in the order the page switcher offers them: a new page is one folder
#: here plus one line in this list.
PAGES = (BlobsPage, DigitsPage, ImagePage, TablePage)

__all__ = ["PAGES", "BlobsPage", "DigitsPage", "ImagePage", "TablePage"]
