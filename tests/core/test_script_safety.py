"""Exported scripts run only their own code: file names, column names, descriptions and
session fields go in as `#` comments or as `repr()` literals, whatever they hold."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from kmeans_studio.core.export.script import python_script
from kmeans_studio.core.export.session import Session

from .test_session import _blob_source, _session

#: Everything that once broke out of the script's docstring or its comments: quotes,
#: triple quotes, backslashes (\N is a SyntaxError in a string), line breaks of every
#: kind Python or an editor knows, non-ASCII, and code that would create PWNED.
ESCAPE = '"""+str(__import__("os").system("touch PWNED"))[:0]+"""'
HOSTILE = [
    ESCAPE,
    "'''+str(__import__('os').system('touch PWNED'))[:0]+'''",
    'photo\\N',
    'back\\slash\\',
    'a "quote" and \'another\'',
    'line\nimport os; os.system("touch PWNED")',
    'cr\rimport os; os.system("touch PWNED")',
    'sep\u2028import os; os.system("touch PWNED")',
    'nel\x85ff\x0cvt\x0bimport os; os.system("touch PWNED")',
    'ünïcødé ☃ 写真',
]


def _run(script_text, folder):
    """Run a script in `folder`; return (exit status, stderr, files it created)."""
    folder.mkdir()
    path = folder / "script.py"
    path.write_text(script_text, encoding="utf-8")
    before = set(folder.iterdir())
    result = subprocess.run([sys.executable, str(path)], cwd=folder, capture_output=True,
                            text=True, timeout=300)
    return result.returncode, result.stderr, {p.name for p in set(folder.iterdir()) - before}


def _figures(*names):
    """The PNG files a script named script.py saves its figures in."""
    return {f"script_{name}.png" for name in names}


#: What a blob script writes: the EM loop's small multiples and the clusters.
BLOB_FIGURES = _figures("em_steps", "clusters")


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_descriptions_names_and_inits_stay_comments(text):
    session, _, _ = _session(_blob_source(), position=2)
    odd = Session(session.source, dict(session.run, init=text[:100]), session.trail,
                  session.objective, 2, text)
    script = python_script(odd, name=text + ".py")
    compile(script, "script.py", "exec")  # a SyntaxError would fail here
    code = [line for line in script.splitlines() if not line.lstrip().startswith("#")]
    assert not any("PWNED" in line or "\\N" in line for line in code)


def test_a_blob_script_with_hostile_texts_runs_and_creates_nothing(tmp_path):
    session, _, _ = _session(_blob_source(), position=4)
    text = " ".join(HOSTILE)
    odd = Session(session.source, dict(session.run, init=HOSTILE[5]), session.trail,
                  session.objective, 4, text)
    status, err, created = _run(python_script(odd, name=text + ".py"), tmp_path / "run")
    assert status == 0, err
    assert created == BLOB_FIGURES


def test_a_session_file_with_a_newline_in_its_init_gives_a_safe_script(tmp_path):
    session, _, _ = _session(_blob_source(), position=2)
    data = json.loads(session.to_json())
    data["run"]["init"] = 'k-means++\nimport os; os.system("touch PWNED")'
    data["description"] = ESCAPE
    loaded = Session.from_json(json.dumps(data), "odd.json")
    status, err, created = _run(python_script(loaded, "odd.py"), tmp_path / "run")
    assert status == 0, err
    assert created == BLOB_FIGURES


@pytest.fixture
def hostile_files(tmp_path):
    """A photo, a CSV table (hostile column names too) and labelled images (.npz),
    each named with every hostile text that a file name can hold."""
    folder = tmp_path / "data"
    folder.mkdir()
    stem = " ".join(HOSTILE[:5] + HOSTILE[9:])  # no "/" or NUL: all a Linux name takes
    rng = np.random.default_rng(0)
    photo = folder / f"{stem}.png"
    Image.fromarray(rng.integers(0, 256, (12, 10, 3), dtype=np.uint8)).save(photo)
    table = folder / f"{stem}.csv"
    X = np.concatenate([rng.normal(0, 1, (20, 2)), rng.normal(5, 1, (20, 2))])
    frame = pd.DataFrame(X, columns=['x"""y', "photo\\N"])
    frame[ESCAPE] = np.repeat(["a", "b"], 20)
    frame.to_csv(table, index=False)
    images = folder / f"{stem}.npz"
    np.savez(images, X=rng.integers(0, 16, (30, 16)).astype(float),
             y=np.arange(30) % 3)
    return photo, table, images


def _file_session(source, k=3):
    from kmeans_studio.core.data.sources import data_source
    from kmeans_studio.core.engine.kmeans import KMeansRun

    dataset = data_source(source).load()
    run = KMeansRun(dataset.X, k, sample_weight=dataset.sample_weight, random_state=0)
    run.run()
    position = len(run.history) - 1
    return Session(source, {"n_clusters": k, "init": "k-means++", "n_init": 1,
                            "random_state": 0, "max_iter": 300, "tol": 1e-4},
                   run.center_trail(position),
                   np.array([s.inertia for s in run.history]), position,
                   dataset.description)


def test_scripts_for_hostile_file_and_column_names_run_and_create_nothing(
        tmp_path, hostile_files):
    photo, table, images = hostile_files
    sources = {
        "photo": ({"kind": "image_file", "path": str(photo)},
                  {"compressed.png"} | _figures("photo", "palette")),
        "table": ({"kind": "table", "path": str(table), "features": ['x"""y', "photo\\N"],
                   "label": ESCAPE, "missing": "drop", "scaling": "standardise"},
                  BLOB_FIGURES),
        "images": ({"kind": "labelled_file", "path": str(images)},
                   _figures("centres", "confusion_matrix", "pca_labels")),
    }
    for what, (source, expected) in sources.items():
        session = _file_session(source)
        assert photo.stem in session.description  # the name does reach the script
        name = f"{photo.stem}.py"
        status, err, created = _run(python_script(session, name), tmp_path / what)
        assert status == 0, f"{what}: {err}"
        assert created == expected, what
    assert not list(tmp_path.rglob("PWNED"))
