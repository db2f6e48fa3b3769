"""The menu entry: shipped files validate, install and uninstall under XDG_DATA_HOME."""

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kmeans_studio import desktop
from kmeans_studio.resources import path as resource

LAUNCHER = resource(f"{desktop.APP_ID}.desktop")
METAINFO = resource(f"{desktop.APP_ID}.metainfo.xml")


def _tool(name):
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (.ci/run installs it)")
    return found


def _validate_desktop(path):
    result = subprocess.run([_tool("desktop-file-validate"), str(path)],
                            capture_output=True, text=True)
    errors = [line for line in result.stdout.splitlines() if "error:" in line]
    assert result.returncode == 0 and not errors, result.stdout + result.stderr


def _read_entry(path):
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def test_shipped_launcher_validates_and_says_what_the_issue_asks():
    _validate_desktop(LAUNCHER)
    entry = _read_entry(LAUNCHER)
    assert entry["Exec"] == "kmeans-studio %F"
    assert entry["Icon"] == desktop.APP_ID
    categories = entry["Categories"].split(";")
    assert {"Education", "Science", "Qt", "DataVisualization"} <= set(categories)
    mimes = set(entry["MimeType"].strip(";").split(";"))
    assert mimes == {f"image/{t}" for t in ("png", "jpeg", "webp", "bmp", "tiff", "gif")} | {
        "text/csv", "text/tab-separated-values"}  # tables open on the Table page


def test_shipped_metainfo_validates():
    result = subprocess.run([_tool("appstreamcli"), "validate", "--no-net", METAINFO],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_install_and_uninstall_under_xdg_data_home(tmp_path):
    env = {"XDG_DATA_HOME": str(tmp_path / "share"), "HOME": str(tmp_path),
           "PATH": "/usr/bin:/bin"}
    run = [sys.executable, "-m", "kmeans_studio"]
    out = subprocess.run([*run, "--install-desktop"], env=env, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    where = desktop.targets(tmp_path / "share")
    for file in where.values():
        assert file.exists() and str(file) in out.stdout
    _validate_desktop(where["launcher"])
    assert where["icon"].read_bytes() == Path(resource("kmeans-studio.svg")).read_bytes()
    # The launcher runs this environment's Python, found even without PATH.
    exec_line = _read_entry(where["launcher"])["Exec"]
    assert exec_line.startswith(sys.executable) or exec_line.startswith(f'"{sys.executable}"')
    assert exec_line.endswith("-m kmeans_studio %F")
    out = subprocess.run([*run, "--uninstall-desktop"], env=env, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert not any(file.exists() for file in where.values())
    out = subprocess.run([*run, "--uninstall-desktop"], env=env, capture_output=True,
                         text=True, timeout=60)
    assert "Nothing to remove" in out.stdout


def test_install_into_a_read_only_folder_says_why(tmp_path):
    share = tmp_path / "share"
    share.mkdir()
    (share / "applications").write_text("a file where a folder should be")
    env = {"XDG_DATA_HOME": str(share), "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-m", "kmeans_studio", "--install-desktop"],
                         env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert out.stderr.startswith("error: could not install the menu entry")


@pytest.mark.parametrize("argument, quoted", [
    ("/usr/bin/python3", "/usr/bin/python3"),
    ("/home/ann/my envs/bin/python", '"/home/ann/my envs/bin/python"'),
    ('/odd/$dir"x', '"/odd/\\\\$dir\\\\"x"'),
])
def test_exec_arguments_are_quoted_as_the_spec_says(argument, quoted):
    assert desktop.exec_quote(argument) == quoted


def test_a_launcher_for_a_python_in_a_folder_with_spaces_validates(tmp_path):
    launcher = tmp_path / f"{desktop.APP_ID}.desktop"
    launcher.write_text(desktop.launcher_text("/home/ann/my envs/bin/python"))
    _validate_desktop(launcher)
    assert _read_entry(launcher)["Exec"] == '"/home/ann/my envs/bin/python" -m kmeans_studio %F'


def test_a_bundles_launcher_runs_its_own_executable(monkeypatch, tmp_path):
    """In a frozen bundle `sys.executable` is the app: Exec runs it, not ``-m``."""
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/kmeans studio/kmeans-studio")
    launcher = tmp_path / f"{desktop.APP_ID}.desktop"
    launcher.write_text(desktop.launcher_text())
    _validate_desktop(launcher)
    assert _read_entry(launcher)["Exec"] == '"/opt/kmeans studio/kmeans-studio" %F'


def _exec_arguments(value):
    """The arguments a desktop reads from an Exec value (Desktop Entry spec 1.5): the
    string escapes first, then the quoting, then %% as %."""
    text, i = value, 0
    unescaped = ""
    while i < len(text):  # string-level escapes
        if text[i] == "\\" and i + 1 < len(text):
            unescaped += {"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}.get(
                text[i + 1], "\\" + text[i + 1])
            i += 2
        else:
            unescaped += text[i]
            i += 1
    args, current, quoted, i = [], None, False, 0
    while i < len(unescaped):
        c = unescaped[i]
        if quoted:
            if c == "\\" and unescaped[i + 1] in '"`$\\':
                current += unescaped[i + 1]
                i += 1
            elif c == '"':
                quoted = False
            else:
                current += c
        elif c == '"':
            quoted, current = True, current or ""
        elif c == " ":
            if current is not None:
                args.append(current)
            current = None
        else:
            current = (current or "") + c
        i += 1
    if current is not None:
        args.append(current)
    return [a.replace("%%", "%") for a in args]


@pytest.mark.parametrize("python", [
    "/opt/back\\slash/bin/python",
    '/opt/"quoted"/bin/python',
    "/opt/$HOME/`id`/bin/python",
    "/opt/100%/bin/python",
    "/opt/new\nline/bin/python",
    "/opt/ünï cødé/bin/python",
])
def test_hostile_interpreter_paths_give_a_valid_launcher_that_runs_them(tmp_path, python):
    launcher = tmp_path / f"{desktop.APP_ID}.desktop"
    launcher.write_text(desktop.launcher_text(python), encoding="utf-8")
    _validate_desktop(launcher)
    assert _exec_arguments(_read_entry(launcher)["Exec"]) == [
        python, "-m", "kmeans_studio", "%F"]


def test_a_relative_xdg_data_home_is_ignored(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", "relative/share")
    assert desktop.data_home() == tmp_path / ".local" / "share"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "abs"))
    assert desktop.data_home() == tmp_path / "abs"


def test_a_planted_link_is_not_followed_and_others_files_are_not_removed(tmp_path):
    share = tmp_path / "share"
    where = desktop.targets(share)
    victim = tmp_path / "victim.txt"
    victim.write_text("mine")
    where["launcher"].parent.mkdir(parents=True)
    (where["launcher"].parent / f".{where['launcher'].name}.tmp").symlink_to(victim)
    desktop.install(share)
    assert victim.read_text() == "mine"
    assert where["launcher"].read_text(encoding="utf-8") == desktop.launcher_text()
    where["icon"].write_text("someone else's icon")  # changed since it was installed
    removed = desktop.uninstall(share)
    assert where["icon"] not in removed and where["icon"].read_text() == "someone else's icon"
    assert not where["launcher"].exists() and not where["metainfo"].exists()


def test_the_flatpak_manifest_installs_the_launcher_metainfo_and_icon_under_the_app_id():
    """What can be checked of the Flatpak manifest without Flathub: its app id and
    command are the app's, and every file it installs exists and lands where the
    desktop, AppStream and icon specs look for that id (the files themselves are
    validated above)."""
    import json
    import shlex

    tomllib = pytest.importorskip("tomllib")
    root = Path(__file__).resolve().parents[2]
    manifest = json.loads((root / "packaging" / f"{desktop.APP_ID}.json").read_text())
    assert manifest["app-id"] == desktop.APP_ID
    scripts = tomllib.loads((root / "pyproject.toml").read_text())["project"]["scripts"]
    assert manifest["command"] in scripts
    module, = manifest["modules"]
    installed = {}
    for command in module["build-commands"]:
        words = shlex.split(command)
        if words[0] == "install":
            source, target = words[-2:]
            assert (root / source).is_file(), source
            installed[Path(target).parent.as_posix()] = Path(target).name
    assert installed == {
        "/app/share/applications": f"{desktop.APP_ID}.desktop",
        "/app/share/metainfo": f"{desktop.APP_ID}.metainfo.xml",
        "/app/share/icons/hicolor/scalable/apps": f"{desktop.APP_ID}.svg",
    }
