"""`kmeans-studio compress` end to end: outputs, exit codes, refusals, no Qt."""

import subprocess
import sys

import pytest
from PIL import Image
from sklearn.datasets import load_sample_image

from kmeans_studio.cli import main


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "flower.png"
    Image.fromarray(load_sample_image("flower.jpg")[::3, ::3]).save(path)
    return path


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "kmeans_studio", "compress", *map(str, args)],
                          capture_output=True, text=True, timeout=300)


def test_compress_writes_an_indexed_png_beside_the_input(photo):
    result = run_cli(photo, "-k", "16")
    assert result.returncode == 0, result.stderr
    out = photo.with_name("flower-k16.png")
    with Image.open(out) as image, Image.open(photo) as original:
        assert image.mode == "P" and len(image.getpalette()) // 3 <= 16
        assert image.size == original.size
    assert "PSNR" in result.stderr and "flower.png" in result.stderr
    assert result.stdout == ""


def test_compress_imports_no_qt(photo):
    code = ("import sys; from kmeans_studio.cli import main; main([sys.argv[1], '-k', '4', '-q']);"
            "print(any(m.startswith(('PySide6', 'pyqtgraph')) for m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code, str(photo)], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


def test_several_inputs_go_to_a_folder(photo, tmp_path):
    second = tmp_path / "china.jpg"
    Image.fromarray(load_sample_image("china.jpg")[::3, ::3]).save(second)
    assert main([str(photo), str(second), "-k", "8", "-o", str(tmp_path / "out"), "-q"]) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["china-k8.png", "flower-k8.png"]


def test_refuses_to_overwrite_without_force(photo, capsys):
    target = photo.with_name("out.png")
    target.write_bytes(b"keep me")
    assert main([str(photo), "-o", str(target), "-k", "4"]) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith("error: ")
    assert target.read_bytes() == b"keep me"
    assert main([str(photo), "-o", str(target), "-k", "4", "--force", "-q"]) == 0
    assert target.read_bytes() != b"keep me"


def test_never_overwrites_the_input_even_with_force(photo, capsys):
    before = photo.read_bytes()
    assert main([str(photo), "-o", str(photo), "--force"]) == 2
    assert "is an input" in capsys.readouterr().err
    assert photo.read_bytes() == before


def test_dither_and_other_formats(photo, tmp_path):
    assert main([str(photo), "-k", "8", "--dither", "-o", str(tmp_path / "d.webp"), "-q"]) == 0
    with Image.open(tmp_path / "d.webp") as image:
        assert image.mode == "RGB"


def test_bad_files_exit_2_with_one_error_line_and_no_output(tmp_path, bad_image_files):
    for name in bad_image_files:
        result = run_cli(tmp_path / name, "-k", "4")
        assert result.returncode == 2, name
        last = result.stderr.strip().splitlines()[-1]
        assert last.startswith("error: ") and "Traceback" not in result.stderr
        stem = name.rsplit(".", 1)[0]
        assert not (tmp_path / f"{stem}-k4.png").exists()


def test_bad_arguments(photo, tmp_path, capsys):
    assert main([str(photo), "-k", "300"]) == 2
    assert "from 1 to 256" in capsys.readouterr().err
    (tmp_path / "file.txt").write_text("x")
    assert main([str(photo), str(photo), "-o", str(tmp_path / "file.txt")]) == 2
    assert "must be a folder" in capsys.readouterr().err


def test_one_bad_input_does_not_stop_the_others(photo, tmp_path, capsys):
    assert main([str(tmp_path / "missing.png"), str(photo), "-k", "4", "-q"]) == 2
    assert photo.with_name("flower-k4.png").exists()
