"""Hostile files for the tests: sessions with every field mutated, tables and arrays
that lie about their size, and the reproductions of the hostile audit."""

import json
import zipfile

import numpy as np

#: Values that no field of a session may hold (as JSON text, so that Infinity, NaN
#: and 400-digit integers reach the parser as a file would bring them).
BAD_VALUES = ["null", "true", "-1", "2147483648", "1" * 400, "1e400", "Infinity", "NaN",
              '"two"', '""', '"x\\n\\"\\"\\"+__import__(\'os\')"', "[]", "{}",
              "[[1, 2, 3]]", '[["a", "b"]]']
#: Where in a session each value goes.
FIELDS = [("version",), ("source",), ("source", "kind"), ("source", "shape"),
          ("source", "n_samples"), ("source", "n_centers"), ("source", "cluster_std"),
          ("source", "random_state"), ("run",), ("run", "n_clusters"), ("run", "init"),
          ("run", "n_init"), ("run", "random_state"), ("run", "max_iter"), ("run", "tol"),
          ("position",), ("position", "state"), ("initial_centers",),
          ("centers_after_each_update",), ("inertia",), ("description",)]
_MARK = "__HOSTILE_VALUE__"


def blob_session_text(position=2):
    """A valid session of the default blobs (4 centres), as saved."""
    from kmeans_studio.core.data.sources import data_source
    from kmeans_studio.core.engine.kmeans import KMeansRun
    from kmeans_studio.core.export.session import Session

    source = {"kind": "blobs", "shape": "blobs", "n_samples": 300, "n_centers": 4,
              "cluster_std": 0.6, "random_state": 0}
    data = data_source(source).load()
    run = KMeansRun(data.X, 4, random_state=0)
    while len(run.history) <= position:
        run.advance()
    return Session(source, {"n_clusters": 4, "init": "k-means++", "n_init": 1,
                            "random_state": 0, "max_iter": 300, "tol": 1e-4},
                   run.center_trail(position),
                   np.array([s.inertia for s in run.history[: position + 1]]), position,
                   data.description).to_json()


def edited_session_text():
    """A valid session of the default blobs whose centres were edited mid-run (a
    centre added at state 3, then one removed at state 6), as saved."""
    from kmeans_studio.core.data.sources import data_source
    from kmeans_studio.core.engine.kmeans import KMeansRun
    from kmeans_studio.core.export.session import Session

    source = {"kind": "blobs", "shape": "blobs", "n_samples": 300, "n_centers": 4,
              "cluster_std": 0.6, "random_state": 0}
    data = data_source(source).load()
    run = KMeansRun(data.X, 4, random_state=0)
    for _ in range(2):
        run.advance()
    run.edit_centers(np.vstack([run.state.centers, [[0.5, 2.0]]]))
    for _ in range(2):
        run.advance()
    run.edit_centers(run.state.centers[1:])
    run.advance()
    (_, first), *edits = run.center_trails()
    return Session(source, {"n_clusters": 4, "init": "k-means++", "n_init": 1,
                            "random_state": 0, "max_iter": 300, "tol": 1e-4},
                   first, np.array(run.objectives()), len(run.history) - 1,
                   data.description, tuple(edits)).to_json()


#: Where in an edited session (`edited_session_text`) each value goes, besides `FIELDS`.
EDIT_FIELDS = [("edits",), ("edits", 0), ("edits", 0, "state"), ("edits", 1, "state"),
               ("edits", 0, "centers"), ("edits", 1, "centers_after_each_update")]


def mutated_sessions(text, fields=FIELDS):
    """(name, text) of the session `text` with each of `fields` set to each of
    `BAD_VALUES`, and the audit's own cases."""
    valid = json.loads(text)
    for field in fields:
        for i, value in enumerate(BAD_VALUES):
            data = json.loads(text)
            where = data
            for key in field[:-1]:
                where = where[key]
            where[field[-1]] = _MARK
            yield (f"{'.'.join(map(str, field))}-{i}.json",
                   json.dumps(data).replace(f'"{_MARK}"', value))
    yield "deep.json", "[" * 100_000 + "]" * 100_000
    yield "deep-centres.json", text.replace('"initial_centers": [',
                                            '"initial_centers": [' + "[" * 50_000, 1)
    yield "bom.json", "\ufeff" + text
    yield "version-text.json", text.replace('"version": 1', '"version": "1"')
    three_d = json.loads(text)
    three_d["initial_centers"] = [row + [0.0] for row in valid["initial_centers"]]
    three_d["centers_after_each_update"] = [[row + [0.0] for row in centres]
                                            for centres in valid["centers_after_each_update"]]
    yield "three-d.json", json.dumps(three_d)


def huge_header_npz(path, shape=(10**11, 2)):
    """A tiny .npz whose array header declares `shape` (far more than it holds)."""
    header = {"descr": "<f8", "fortran_order": False, "shape": shape}
    buffer = np.lib.format.magic(1, 0)
    text = repr(header).encode("latin1")
    text += b" " * (63 - (len(buffer) + 2 + len(text)) % 64) + b"\n"
    npy = buffer + len(text).to_bytes(2, "little") + text
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("X.npy", npy)
        archive.writestr("y.npy", npy)
    return path


def bomb_npz(path, n_bytes=1 << 30):
    """A small .npz (deflated zeros) that expands to `n_bytes` of float64 when read."""
    header = {"descr": "<f8", "fortran_order": False, "shape": (n_bytes // 8 // 4, 4)}
    buffer = np.lib.format.magic(1, 0)
    text = repr(header).encode("latin1")
    text += b" " * (63 - (len(buffer) + 2 + len(text)) % 64) + b"\n"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("X.npy", "w", force_zip64=True) as member:
            member.write(buffer + len(text).to_bytes(2, "little") + text)
            zeros = bytes(1 << 20)
            for _ in range(n_bytes >> 20):
                member.write(zeros)
    return path


def other_hostile_files(folder):
    """Photos, tables and arrays that no page can use: damaged, empty, lying about
    their size, or not what their suffix says.  Returns their paths."""
    import struct
    import zlib

    from PIL import Image

    rng = np.random.default_rng(0)
    good = folder / "good.png"
    Image.fromarray(rng.integers(0, 256, (20, 30, 3), dtype=np.uint8)).save(good)
    png = good.read_bytes()
    # A PNG whose header declares 100,000 × 100,000 pixels (Pillow's bomb limit).
    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    bomb = (png[:8] + struct.pack(">I", len(ihdr)) + chunk
            + struct.pack(">I", zlib.crc32(chunk)) + png[33:])
    files = {
        "truncated.png": png[: len(png) // 2], "corrupt.png": png[:16] + bytes(range(256)),
        "empty.png": b"", "notes.png": b"not an image\n", "bomb.png": bomb,
        "photo.jpg": b"\xff\xd8\xff\xe0 cut", "ragged.csv": b"a,b\n1,2\n3,4,5\n",
        "twice.csv": b"a ,a\n1,2\n", "binary.csv": b"\0\1\2\3", "empty.csv": b"",
        "latin1.csv": "a,b\ncaf\u00e9,2\n".encode("latin-1"), "text.tsv": b"a\tb\nx\ty\n",
        "empty.npy": b"", "text.npz": b"PK\x03\x04 not a zip", "objects.npy": None,
        "cut.npy": None,
    }
    paths = []
    for name, content in files.items():
        path = folder / name
        if name == "objects.npy":
            np.save(path, np.array([{"a": 1}], dtype=object), allow_pickle=True)
        elif name == "cut.npy":
            np.save(path, np.arange(1000.0).reshape(500, 2))
            path.write_bytes(path.read_bytes()[:-100])
        else:
            path.write_bytes(content)
        paths.append(path)
    paths.append(huge_header_npz(folder / "liar.npz"))
    paths.append(huge_header_npz(folder / "liar-images.npz", (10**6, 10**3, 10**3)))
    good.unlink()
    return paths
