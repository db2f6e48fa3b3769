"""Files from strangers: every refusal is one sentence that names the file, nothing is
allocated for what a header merely declares, and no row is lost without a word."""

import json
import struct
import tracemalloc
import zipfile

import numpy as np
import pytest

from kmeans_studio.core.data import datasets
from kmeans_studio.core.data.tables import (
    TableChoice,
    TableError,
    read_preview,
    read_table,
)
from kmeans_studio.core.export.session import (
    MAX_SESSION_BYTES,
    Session,
    centers_csv,
    labels_csv,
)

from .hostile import (
    EDIT_FIELDS,
    FIELDS,
    blob_session_text,
    bomb_npz,
    edited_session_text,
    huge_header_npz,
    mutated_sessions,
)
from .special_files import SAID, special_files, unblocked


@pytest.fixture(scope="module")
def session_text():
    return blob_session_text()


def _is_sentence(message, name):
    return ("\n" not in message and message.endswith(".") and f"“{name}”" in message
            and "list indices" not in message and "is missing or wrong" not in message)


def test_every_mutated_session_is_refused_in_one_sentence_or_read(session_text):
    refused = 0
    for name, text in mutated_sessions(session_text):
        try:
            session = Session.from_json(text, name)
        except ValueError as exc:
            refused += 1
            assert _is_sentence(str(exc), name), (name, str(exc))
        else:  # what loads is what K-Means Studio writes
            json.loads(session.to_json())
    assert refused > 300


def test_every_mutated_edit_of_an_edited_session_is_refused_in_one_sentence_or_read():
    refused = 0
    for name, text in mutated_sessions(edited_session_text(), FIELDS + EDIT_FIELDS):
        try:
            session = Session.from_json(text, name)
        except ValueError as exc:
            refused += 1
            assert _is_sentence(str(exc), name), (name, str(exc))
        else:
            json.loads(session.to_json())
    assert refused > 380


@pytest.mark.parametrize("change, message", [
    (('"version": 1', '"version": "1"'), "is a session of version '1', which this K-Means "
                                         "Studio cannot read (it reads version 1 or 2)."),
    (('"n_clusters": 4', '"n_clusters": "two"'), "the run's n_clusters must be a whole "
                                                 "number from 1 to 256, not 'two'."),
    (('"state": 2', '"state": Infinity'), "is not a K-Means Studio session (Infinity is "
                                          "not a number K-Means Studio writes)."),
])
def test_refusals_read_as_sentences(session_text, change, message):
    with pytest.raises(ValueError) as info:
        Session.from_json(session_text.replace(*change), "s.json")
    assert str(info.value).endswith(message)


def test_a_session_for_other_data_than_its_centres_fit_is_refused(session_text):
    data = json.loads(session_text)
    data["initial_centers"] = [row + [0.0] for row in data["initial_centers"]]
    data["centers_after_each_update"] = [[row + [0.0] for row in centres]
                                         for centres in data["centers_after_each_update"]]
    with pytest.raises(ValueError, match="centres have 3 coordinates, but blobs data have 2"):
        Session.from_json(json.dumps(data), "3d.json")


@pytest.mark.parametrize("source, message", [
    ({"kind": "table", "features": ["a"]}, None),  # no path: the iris table
    ({"kind": "table", "features": []}, "list of 1 to 20,000 column names"),
    ({"kind": "table", "features": ["a"], "scaling": "cubic"}, "scaling must be one of"),
    ({"kind": "image_file"}, "the file's path must be text"),
    ({"kind": ["blobs"]}, "a kind this K-Means Studio cannot rebuild"),
    ({"kind": "sample_image", "name": "../../etc/passwd"}, "sample image must be one of"),
    ({"kind": "sample_image", "name": "china.jpg", "space": "lab'); import os"},
     "colour space must be one of srgb, luma, oklab"),
    ({"kind": "image_file", "path": "a.png", "space": ["oklab"]}, "colour space must be one of"),
])
def test_sources_of_every_kind_are_checked(source, message):
    from kmeans_studio.core.data.sources import data_source

    if message is None:
        assert data_source(source).to_dict()["path"] is None
    else:
        with pytest.raises(ValueError, match=message):
            data_source(source).to_dict()


def test_unknown_source_fields_do_not_travel_on(session_text):
    data = json.loads(session_text)
    data["source"]["extra"] = "__import__('os')"
    assert "extra" not in Session.from_json(json.dumps(data)).source.to_dict()


def test_a_session_file_too_big_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.kmeans.json"
    with open(path, "wb") as file:
        file.truncate(MAX_SESSION_BYTES + 1)
    with pytest.raises(ValueError, match="larger than any session"):
        Session.load(path)


def test_an_array_header_that_declares_a_terabyte_allocates_nothing(tmp_path):
    path = huge_header_npz(tmp_path / "liar.npz")
    assert path.stat().st_size < 1000
    import pandas  # noqa: F401 - loaded before counting (the test alone imported it: 46 MB)
    tracemalloc.start()
    for read in (datasets.read_arrays, datasets.npz_images_dataset, read_table):
        with pytest.raises(ValueError, match="liar.npz"):
            read(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 10 << 20
    assert not datasets.npz_holds_images(path)


def test_a_compressed_archive_is_measured_by_what_it_expands_to(tmp_path, monkeypatch):
    path = bomb_npz(tmp_path / "bomb.npz", 256 << 20)
    assert path.stat().st_size < 1 << 20
    tracemalloc.start()
    frame, complete = read_preview(path)  # the first rows only
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert not complete and len(frame) == 500 and peak < 20 << 20
    monkeypatch.setattr(datasets, "MAX_ARRAY_BYTES", 128 << 20)
    with pytest.raises(ValueError, match="would take 0.2 GiB of memory once read"):
        read_table(path)


def test_a_truncated_npy_is_refused(tmp_path):
    path = tmp_path / "cut.npy"
    np.save(path, np.arange(1000.0).reshape(500, 2))
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(TableError, match="cut short"):
        read_table(path)


def test_a_byte_order_mark_is_not_part_of_the_first_row(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf1.5,2.5\n3.5,4.5\n5.5,6.5\n")
    frame = read_table(path)
    assert frame.to_numpy().tolist() == [[1.5, 2.5], [3.5, 4.5], [5.5, 6.5]]
    path.write_bytes(b"\xef\xbb\xbfa,b\n1,2\n3,4\n")
    assert list(read_table(path).columns) == ["a", "b"]


def test_repeated_column_names_are_named_as_such(tmp_path):
    path = tmp_path / "twice.csv"
    path.write_text("a ,a\n1,2\n3,4\n")
    with pytest.raises(TableError, match="more than one column named 'a'"):
        read_table(path)


def test_an_endless_header_line_is_refused_quickly(tmp_path):
    path = tmp_path / "wide.csv"
    with open(path, "w") as file:
        file.write(",".join(f"c{i}" for i in range(1_500_000)))
    with pytest.raises(TableError, match="first line longer than 4 MiB"):
        read_table(path, nrows=500)
    path.write_text(",".join(f"c{i}" for i in range(30_000)) + "\n"
                    + ",".join("1" for _ in range(30_000)) + "\n")
    with pytest.raises(TableError, match="30,000 columns"):
        read_table(path)


def test_exported_csv_cells_cannot_run_as_formulas():
    from kmeans_studio.core.data.datasets import Dataset

    labels = np.array(["=HYPERLINK(\"http://x\",\"y\")", "+cmd|' /C calc'!A0", "-2+3",
                       "@SUM(1)", "\tx", "plain", "-1.5"])
    data = Dataset("t", np.arange(14.0).reshape(7, 2), y=labels,
                   feature_names=("=cmd", "b"))
    text = labels_csv(data, np.zeros(7, dtype=int))
    rows = text.splitlines()
    assert rows[0].startswith("sample,'=cmd,b,")
    cells = [row.split(",")[3] for row in rows[1:]]
    assert cells[0].startswith("\"'=HYPERLINK") and cells[1].startswith("'+cmd")
    assert cells[2] == "'-2+3" and cells[3] == "'@SUM(1)" and cells[4] == "'\tx"
    assert cells[5] == "plain" and cells[6] == "-1.5"  # a number stays a number
    assert centers_csv(data, np.zeros((1, 2)), None).splitlines()[0] == "cluster,size,'=cmd,b"


def test_table_choice_from_a_checked_session_source(tmp_path):
    choice = TableChoice(("a",), None)
    assert TableChoice.from_source(choice.to_source(str(tmp_path / "x.csv"))) == choice


def test_a_session_saved_with_a_byte_order_mark_opens(session_text, tmp_path):
    path = tmp_path / "bom.kmeans.json"
    path.write_bytes(b"\xef\xbb\xbf" + session_text.encode("utf-8"))
    assert Session.load(path).position == 2


def test_a_big_fortran_order_array_previews_its_first_rows(tmp_path):
    X = np.asfortranarray(np.arange(1_600_000.0).reshape(800_000, 2))
    np.savez(tmp_path / "columns.npz", X=X)
    frame, complete = read_preview(tmp_path / "columns.npz")
    assert not complete
    np.testing.assert_array_equal(frame.to_numpy(), X[:500])


def test_image_sessions_from_before_oklab_are_srgb():
    from kmeans_studio.core.data.sources import data_source

    assert data_source({"kind": "sample_image", "name": "china.jpg"}).to_dict()["space"] == "srgb"
    assert data_source({"kind": "image_file", "path": "a.png", "space": "oklab"}).to_dict() == {
        "kind": "image_file", "path": "a.png", "space": "oklab"}


#: The readers of users' files, each with a suffix it reads.
_READERS = {
    "session": (".kmeans.json", Session.load),
    "npz arrays": (".npz", datasets.read_arrays),
    "npz headers": (".npz", datasets.array_headers),
    "labelled images": (".npz", datasets.npz_images_dataset),
    "npy arrays": (".npy", datasets.read_arrays),
    "npy table": (".npy", read_table),
    "csv table": (".csv", read_table),
    "npz preview": (".npz", read_preview),
    "csv preview": (".csv", read_preview),
}


@pytest.mark.parametrize("reader", _READERS)
def test_only_regular_files_are_read(tmp_path, reader):
    """A named pipe (which would block its reader for good), a link to /dev/zero (read
    without end) and a folder: refused in one sentence naming them, before any open."""
    suffix, read = _READERS[reader]
    files = special_files(tmp_path, "data" + suffix)
    with unblocked(files["fifo"]) as freed:
        for kind, path in files.items():
            with pytest.raises(ValueError) as info:
                read(path)
            message = str(info.value)
            assert f"“{path.name}”" in message and SAID[kind] in message, message
            assert "\n" not in message and message.endswith(".")
        assert not any(datasets.npz_holds_images(path) for path in files.values())
    assert freed == []


def _many_members(path, count, claimed=None):
    """An archive of `count` empty members; its end record says `claimed` of them."""
    with zipfile.ZipFile(path, "w") as archive:
        for i in range(count):
            archive.writestr(f"a{i}.npy", b"")
    if claimed is not None:  # the counts on this disk and in all, in the end record
        data = bytearray(path.read_bytes())
        end = data.rindex(b"PK\x05\x06")
        data[end + 8:end + 12] = struct.pack("<HH", claimed, claimed)
        path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("claimed", [None, 1])
def test_an_archive_of_too_many_arrays_is_refused_before_any_header_is_read(
        tmp_path, monkeypatch, claimed):
    """2,000 members (100,000 took 3.9 s to scan): refused from the archive's end
    record, or, when that understates them, from its directory, before any header."""
    path = _many_members(tmp_path / "many.npz", 2_000, claimed)

    def no_header(file):
        raise AssertionError("a header was read")
    monkeypatch.setattr(datasets, "_array_header", no_header)
    for read in (datasets.array_headers, datasets.read_arrays,
                 datasets.npz_images_dataset, read_table, read_preview):
        with pytest.raises(ValueError, match="“many.npz” holds 2,000 arrays, more than "
                                             "the 1,000 K-Means Studio reads"):
            read(path)
    assert not datasets.npz_holds_images(path)


def test_a_message_names_a_few_of_the_arrays(tmp_path):
    path = tmp_path / "fifty.npz"
    np.savez(path, **{f"a{i}": np.zeros(2) for i in range(50)})
    for read in (datasets.npz_images_dataset, read_table):
        with pytest.raises(ValueError) as info:
            read(path)
        assert "a0, a1, a2, a3, a4 … and 45 more" in str(info.value)
        assert "a5" not in str(info.value)


def test_long_array_names_are_cut_in_messages(tmp_path):
    path = tmp_path / "long.npz"
    np.savez(path, **{f"{i}" + "n" * 30_000: np.zeros(2) for i in range(10)})
    with pytest.raises(ValueError) as info:
        datasets.npz_images_dataset(path)
    assert len(str(info.value)) < 600 and "… and 5 more" in str(info.value)
