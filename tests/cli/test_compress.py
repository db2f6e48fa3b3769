"""`kmeans-studio compress` end to end: outputs, exit codes, refusals, no Qt."""

import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sklearn.datasets import load_sample_image

import kmeans_studio
from kmeans_studio.cli import main
from kmeans_studio.core.color.image_quality import compare_images


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
    # The time is said phase by phase: start-up is not blamed on the compression.
    if sys.platform.startswith("linux"):
        assert re.search(r"^start-up \d+\.\d\d s ", result.stderr, re.M), result.stderr
    assert re.search(r"; read \d+\.\d\d s, compress \d+\.\d\d s, write \d+\.\d\d s\)",
                     result.stderr), result.stderr
    # What was written, as it is read back: by default its PSNR only (the run's own).
    with Image.open(out) as image, Image.open(photo) as original:
        quality = compare_images(np.asarray(original), np.asarray(image.convert("RGB")))
    assert f"PSNR {quality.psnr:.1f} dB, 1" in result.stderr and "SSIM" not in result.stderr
    measured = run_cli(photo, "-k", "16", "--measure", "--force")
    assert (f"PSNR {quality.psnr:.1f} dB, SSIM {quality.ssim:.4f}, ΔE {quality.delta_e:.2f}; "
            in measured.stderr), measured.stderr
    assert re.search(r", measure \d+\.\d\d s\)", measured.stderr), measured.stderr


def test_compress_imports_neither_qt_nor_scikit_learn(photo):
    code = ("import sys; from kmeans_studio.cli import main; main([sys.argv[1], '-k', '4', '-q']);"
            "print(sorted({m.split('.')[0] for m in sys.modules}"
            " & {'PySide6', 'pyqtgraph', 'sklearn'}))")
    result = subprocess.run([sys.executable, "-c", code, str(photo)], capture_output=True, text=True)
    assert result.stdout.strip() == "[]", result.stderr


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


def test_an_output_that_is_another_input_is_refused_even_with_force(photo, tmp_path):
    second = photo.with_name("flower-k64.png")  # the first input's default output
    Image.open(photo).save(second)
    before = {p: p.read_bytes() for p in (photo, second)}
    for flags in ([], ["--force"]):
        result = run_cli(photo, second, *flags)
        assert result.returncode == 2
        assert result.stderr.strip().splitlines()[-1].startswith("error: ")
        assert "is an input" in result.stderr
        assert {p: p.read_bytes() for p in before} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["flower-k64.png", "flower.png"]


def test_two_inputs_with_one_output_are_refused_before_any_is_written(photo, tmp_path,
                                                                       capsys):
    other = photo.with_suffix(".jpg")
    Image.open(photo).convert("RGB").save(other)
    for flags in ([], ["--force"]):
        assert main([str(photo), str(other), "-k", "4", *flags]) == 2
        assert "would both be written to" in capsys.readouterr().err
        assert not photo.with_name("flower-k4.png").exists()


def test_a_suffix_pillow_cannot_write_is_refused_before_any_work(photo, tmp_path, capsys,
                                                                  monkeypatch):
    from kmeans_studio.core.color import quantize

    monkeypatch.setattr(quantize, "quantize_colors", None)  # never reached
    for suffix in (".psd", ".xpm", ".xbm", ".pfm", ""):
        assert main([str(photo), "-o", str(tmp_path / f"out{suffix}")]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and "cannot write" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["flower.png"]


def test_a_single_file_output_with_several_inputs_is_refused(photo, tmp_path, capsys):
    assert main([str(photo), str(photo), "-o", str(tmp_path / "single.png")]) == 2
    assert "must be a folder" in capsys.readouterr().err
    assert not (tmp_path / "single.png").exists()


def test_the_output_folder_is_made_only_when_there_is_something_to_write(tmp_path, capsys):
    (tmp_path / "notes.png").write_text("not an image")
    assert main([str(tmp_path / "notes.png"), str(tmp_path / "missing.png"),
                 "-o", str(tmp_path / "made") + "/"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[-1] == "error: 2 of 2 images could not be compressed (see above)."
    assert not (tmp_path / "made").exists()


def test_ctrl_c_exits_130_with_one_line_and_leaves_no_file(photo, capsys, monkeypatch):
    from kmeans_studio import cli

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(cli, "compress_one", interrupted)
    assert main([str(photo), "-k", "4", "-q"]) == 130
    err = capsys.readouterr().err
    assert err.startswith("interrupted: ") and len(err.strip().splitlines()) == 1
    assert not photo.with_name("flower-k4.png").exists()


def test_ctrl_c_on_a_first_run_gives_the_kernels_back(photo, monkeypatch):
    """A first run takes the numpy way; stopped by Ctrl+C, the process may run
    compress again (tests, scripts): the compiled kernels are not left declined."""
    from kmeans_studio import cli
    from kmeans_studio.core.color import warmup
    from kmeans_studio.core.engine import _compiled

    monkeypatch.setattr(_compiled, "_declined", False)  # (given back after the test)
    monkeypatch.setattr(warmup, "kernels_cached", lambda dither: False)
    monkeypatch.setattr(warmup, "compile_in_background", lambda: None)

    def interrupted(*args, **kwargs):
        assert not _compiled.available()  # the numpy way, meanwhile
        raise KeyboardInterrupt
    monkeypatch.setattr(cli, "compress_one", interrupted)
    assert main([str(photo), "-k", "4", "-q"]) == 130
    assert _compiled.available()


def test_version_is_printed_without_qt():
    from kmeans_studio import __version__

    for args in (["--version"], ["compress", "--version"]):
        code = ("import sys\nfrom kmeans_studio.app import main\n"
                "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
                "print(any(m.startswith(('PySide6', 'pyqtgraph')) for m in sys.modules))")
        result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True,
                                text=True)
        assert __version__ in result.stdout and result.stdout.strip().endswith("False"), \
            result.stderr


def test_skip_if_larger_never_writes_a_bigger_file(photo, tmp_path, capsys):
    """As pngquant's --skip-if-larger: an output that would not be smaller than its
    input is not written (exit 98, one line says so); a smaller one is."""
    tiny = tmp_path / "tiny.jpg"  # a JPEG squeezed far below what a 256-colour PNG needs
    Image.open(photo).save(tiny, quality=5)
    folder = tmp_path / "out"
    assert main([str(tiny), "-k", "256", "-o", str(folder / "tiny.png"),
                 "--skip-if-larger"]) == 98
    err = capsys.readouterr().err
    assert "skipped" in err and "would not be smaller than the input's" in err
    assert not folder.exists()  # nor the folder made for it
    # Without the option the file is written, larger than the input.
    assert main([str(tiny), "-k", "256", "-o", str(tmp_path / "big.png"), "-q"]) == 0
    assert (tmp_path / "big.png").stat().st_size >= tiny.stat().st_size
    # A photo saved as an RGB PNG shrinks at 16 colours: written, exit 0.
    assert main([str(photo), "-k", "16", "--skip-if-larger", "-q"]) == 0
    out = photo.with_name("flower-k16.png")
    assert out.stat().st_size < photo.stat().st_size
    # Several inputs: the one that shrinks is written, the other skipped; exit 98.
    out.unlink()
    assert main([str(photo), str(tiny), "-k", "16", "-o", str(tmp_path / "both") + "/",
                 "--skip-if-larger", "-q"]) == 98
    assert sorted(p.name for p in (tmp_path / "both").iterdir()) == ["flower-k16.png"]


def test_quality_range_as_pngquant(photo, tmp_path, capsys):
    """--quality MIN-MAX (PSNR dB): the fewest colours reaching MAX; the most (-k)
    when only MIN is reached; below MIN nothing is written and the exit status is 99."""
    assert main([str(photo), "--quality", "28-32", "-q"]) == 0
    out = photo.with_name("flower-q32.png")
    with Image.open(out) as image, Image.open(photo) as original:
        rgb = np.asarray(image.convert("RGB"), dtype=float)
        mse = ((rgb - np.asarray(original.convert("RGB"), dtype=float)) ** 2).mean()
        used = len(np.unique(np.asarray(image)))
    assert 10 * np.log10(255**2 / mse) >= 32 and 2 < used < 256
    # At most 8 colours: MAX is out of reach, MIN is reached: 8 colours are written.
    assert main([str(photo), "--quality", "15-60", "-k", "8", "-o",
                 str(tmp_path / "eight.png"), "-q"]) == 0
    with Image.open(tmp_path / "eight.png") as image:
        assert len(np.unique(np.asarray(image))) == 8
    # Below MIN: exit 99, one line says so, nothing written.
    capsys.readouterr()
    assert main([str(photo), "--quality", "59-60", "-k", "8", "-o",
                 str(tmp_path / "never.png")]) == 99
    assert "below the minimum 59 dB" in capsys.readouterr().err
    assert not (tmp_path / "never.png").exists()
    for bad in ("abc", "45-40", "-5-3", "nan"):
        with pytest.raises(SystemExit) as exit_:
            main([str(photo), "--quality", bad])
        assert exit_.value.code == 2


def test_max_size_keeps_the_most_colours_that_fit(photo, tmp_path, capsys):
    assert main([str(photo), "-k", "256", "-o", str(tmp_path / "all.png"), "-q"]) == 0
    limit = (tmp_path / "all.png").stat().st_size // 2  # 256 colours do not fit
    assert main([str(photo), "--max-size", str(limit), "-o", str(tmp_path / "fit.png")]) == 0
    said = capsys.readouterr().err
    with Image.open(tmp_path / "fit.png") as image:
        used = len(np.unique(np.asarray(image)))
    assert (tmp_path / "fit.png").stat().st_size <= limit and used > 1
    assert f"{used} colours fit" in said
    # One colour more does not fit: the search kept the most that do.
    assert main([str(photo), "-k", str(used + 1), "-o", str(tmp_path / "more.png"), "-q"]) == 0
    assert (tmp_path / "more.png").stat().st_size > limit
    # Too small for even one colour: nothing written, exit 98.
    assert main([str(photo), "--max-size", "50", "-o", str(tmp_path / "no.png")]) == 98
    assert "even one colour takes more than 50 bytes" in capsys.readouterr().err
    assert not (tmp_path / "no.png").exists()
    assert main([str(photo), "--max-size", "20K", "--quality", "30-40"]) == 2
    assert "choose one of --quality and --max-size" in capsys.readouterr().err
    for bad in ("x", "0", "-5K", "1e30M"):
        with pytest.raises(SystemExit) as exit_:
            main([str(photo), "--max-size", bad])
        assert exit_.value.code == 2


@pytest.fixture
def logo(tmp_path):
    """A colour ramp under an alpha ramp, with a fully transparent hole."""
    h, w = 48, 90
    image = np.zeros((h, w, 4), np.uint8)
    x = np.linspace(0, 1, w)
    image[..., 0] = (255 * x)[None, :]
    image[..., 1] = (255 * np.linspace(0, 1, h))[:, None]
    image[..., 2] = 160
    image[..., 3] = np.rint(1 + 254 * x)[None, :]
    image[10:30, 30:60] = (250, 10, 10, 0)  # hidden red under alpha 0
    path = tmp_path / "logo 'quoted'.png"
    Image.fromarray(image, "RGBA").save(path)
    return path, image


def test_transparency_is_kept_as_pngquant_keeps_it(logo, capsys):
    path, image = logo
    assert main([str(path), "-k", "32"]) == 0
    out = path.with_name("logo 'quoted'-k32.png")
    with Image.open(out) as png:
        assert png.mode == "P" and "transparency" in png.info  # indexed, with tRNS
        back = np.asarray(png.convert("RGBA"))
    hole = image[..., 3] == 0
    assert np.all(back[hole][:, 3] == 0) and np.all(back[~hole][:, 3] > 0)
    assert np.abs(back[..., 3].astype(int) - image[..., 3]).max() <= 32
    assert "transparency kept" in capsys.readouterr().err


def test_background_flattens_and_other_refusals_with_transparency(logo, tmp_path, capsys):
    path, image = logo
    flat = tmp_path / "flat.png"
    assert main([str(path), "-k", "32", "--background", "#000000", "-o", str(flat)]) == 0
    with Image.open(flat) as png:
        assert "transparency" not in png.info
        hole = np.asarray(png.convert("RGB"))[20, 45].astype(int)
        assert np.abs(hole).max() <= 4  # the hole: black, to the palette's rounding
    for args, words in ((["-o", str(tmp_path / "x.jpg")], "cannot keep the image's transparency"),
                        (["--dither", "-o", str(tmp_path / "d.png")], "--dither does not handle")):
        assert main([str(path), *args]) == 2
        assert words in capsys.readouterr().err
    assert not (tmp_path / "x.jpg").exists() and not (tmp_path / "d.png").exists()
    with pytest.raises(SystemExit):
        main([str(path), "--background", "#12345"])
    assert "is not a colour" in capsys.readouterr().err


def test_space_oklab_clusters_in_oklab(photo, tmp_path, capsys):
    from kmeans_studio.core.color.oklab import OklabColors

    out = tmp_path / "oklab.png"
    assert main([str(photo), "-k", "12", "--space", "oklab", "--seed", "2", "-o", str(out)]) == 0
    with Image.open(photo) as original:
        expected = OklabColors.from_image(np.asarray(original)).quantize(12, random_state=2)
    with Image.open(out) as png:
        written = np.asarray(png.convert("RGB"))
    np.testing.assert_array_equal(written, expected.image())
    assert f"PSNR {expected.psnr:.1f} dB" in capsys.readouterr().err


@pytest.mark.parametrize("measure", [[], ["--measure"]])
def test_the_summary_measures_the_dithered_file_written(photo, tmp_path, capsys, measure):
    out = tmp_path / "d.png"
    assert main([str(photo), "-k", "8", "--dither", "-o", str(out), *measure]) == 0
    with Image.open(out) as image, Image.open(photo) as original:
        quality = compare_images(np.asarray(original), np.asarray(image.convert("RGB")))
    said = capsys.readouterr().err
    assert f"PSNR {quality.psnr:.1f} dB, " in said
    assert (f"SSIM {quality.ssim:.4f}" in said) == bool(measure)


def test_oklab_with_transparency_and_unknown_spaces_are_refused(logo, tmp_path, capsys):
    path, _ = logo
    out = tmp_path / "o.png"
    assert main([str(path), "--space", "oklab", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "--space oklab takes opaque images" in err and err.count("error:") == 1
    assert main([str(path), "--space", "oklab", "--background", "white", "-o", str(out)]) == 0
    with pytest.raises(SystemExit):
        main([str(path), "--space", "lab'; rm -rf /"])
    assert "invalid choice" in capsys.readouterr().err


def test_quality_and_size_targets_work_with_transparency(logo, tmp_path):
    path, _ = logo
    assert main([str(path), "--quality", "30-36", "-o", str(tmp_path / "q.png")]) == 0
    assert main([str(path), "--max-size", "1500", "-o", str(tmp_path / "s.png")]) == 0
    assert (tmp_path / "s.png").stat().st_size <= 1500
    with Image.open(tmp_path / "q.png") as png:
        assert "transparency" in png.info


def test_a_first_run_takes_the_numpy_way_and_compiles_afterwards(photo, tmp_path):
    """No compiled kernels cached (a fresh install): the photo is compressed the numpy
    way at once, to the same bytes, and the kernels compile in a process of their own
    for the next run, which then needs no numpy way."""
    import os

    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "numba-cache"))

    def run(out):
        return subprocess.run([sys.executable, "-m", "kmeans_studio", "compress", str(photo),
                               "-k", "16", "-o", str(out)], capture_output=True, text=True,
                              env=env, timeout=300)
    first = run(tmp_path / "first.png")
    assert first.returncode == 0, first.stderr
    assert "first run: this one takes the numpy way" in first.stderr
    assert main([str(photo), "-k", "16", "-o", str(tmp_path / "usual.png"), "-q"]) == 0
    assert (tmp_path / "first.png").read_bytes() == (tmp_path / "usual.png").read_bytes()
    ready = [sys.executable, "-c", "from kmeans_studio.core.color.warmup import kernels_cached;"
             "print(kernels_cached())"]
    deadline = time.monotonic() + 280  # the background compile, under whatever load
    while subprocess.run(ready, capture_output=True, text=True, env=env).stdout.strip() != "True":
        assert time.monotonic() < deadline, "the kernels were never compiled"
        time.sleep(0.5)
    second = run(tmp_path / "second.png")
    assert second.returncode == 0 and "first run" not in second.stderr


def test_a_first_run_on_big_inputs_compiles_first(monkeypatch, tmp_path):
    """Above NUMPY_FIRST_RUN_PIXELS in all, compiling first is quicker than numpy."""
    from kmeans_studio import cli
    from kmeans_studio.core.color import warmup
    from kmeans_studio.core.engine import _compiled

    big = tmp_path / "big.png"
    Image.new("RGB", (1500, 1500)).save(big)
    monkeypatch.setattr(warmup, "kernels_cached", lambda dither: False)
    warmed = []
    monkeypatch.setattr(warmup, "warm_up", lambda: warmed.append(True))
    assert cli._ready_kernels([big], lambda _: None, False) is False and warmed
    assert _compiled.available()
    small = tmp_path / "small.png"
    Image.new("RGB", (100, 100)).save(small)
    # Dithering has no numpy way: a small input compiles first too.
    assert cli._ready_kernels([small], lambda _: None, True) is False and _compiled.available()
    monkeypatch.setattr(_compiled, "_declined", False)  # given back after the test
    assert cli._ready_kernels([small], lambda _: None, False) is True
    assert not _compiled.available()


def test_a_batch_is_compressed_two_at_a_time_and_said_in_order(photo, logo, tmp_path, capsys):
    """Several inputs run side by side: the same files as one at a time, each input's
    lines together and in the inputs' order."""
    path, _ = logo
    other = tmp_path / "a-first.png"
    Image.open(photo).transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(other)
    inputs = [photo, path, other]
    assert main([*map(str, inputs), "-k", "8", "-o", str(tmp_path / "batch") + "/"]) == 0
    err = capsys.readouterr().err.splitlines()
    said = [line.split(":")[0] for line in err if not line.startswith((" ", "start-up"))]
    assert said == [p.name for p in inputs]
    for source in inputs:
        single = tmp_path / f"single-{source.stem}.png"
        assert main([str(source), "-k", "8", "-o", str(single), "-q"]) == 0
        assert (tmp_path / "batch" / f"{source.stem}-k8.png").read_bytes() == single.read_bytes()


def test_ctrl_c_in_a_batch_stops_what_runs_before_it_writes(photo, tmp_path, capsys,
                                                            monkeypatch):
    from kmeans_studio import cli

    real = cli.compress_one
    second = tmp_path / "second.png"
    Image.open(photo).save(second)

    def compress_one(source, target, args, say, stop=None):
        if source == photo:
            raise KeyboardInterrupt  # as Ctrl+C reaches the main thread
        assert stop.wait(60)  # the other image, still at work when Ctrl+C comes
        return real(source, target, args, say, stop)
    monkeypatch.setattr(cli, "compress_one", compress_one)
    assert main([str(photo), str(second), "-k", "4", "-o", str(tmp_path / "out") + "/"]) == 130
    assert capsys.readouterr().err.splitlines()[-1].startswith("interrupted: ")
    assert not (tmp_path / "out").exists()


def test_dither_strength_from_the_command_line(photo, tmp_path, capsys):
    from kmeans_studio.core.color.dither import DEFAULT_STRENGTH, dither
    from kmeans_studio.core.color.quantize import ImageColors

    with Image.open(photo) as original:
        pixels = np.asarray(original)
    result = ImageColors.from_image(pixels).quantize(8)
    for args, strength in ((["--dither"], DEFAULT_STRENGTH), (["--dither", "0.3"], 0.3),
                           (["--dither=1"], 1.0)):
        out = tmp_path / f"d{strength}.png"
        # Before the input too: a bare --dither does not take the file for its strength.
        assert main([*args, str(photo), "-k", "8", "-o", str(out)]) == 0
        with Image.open(out) as png:
            np.testing.assert_array_equal(
                np.asarray(png), dither(pixels, result.palette, strength, result.indices))
    for bad in ("1.5", "-0.2", "nan", "1e9"):
        with pytest.raises(SystemExit):
            main([str(photo), "--dither", bad, "-o", str(tmp_path / "x.png")])
        assert "is not a strength from 0 to 1" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # a word after the input is no strength, nor an input
        main([str(photo), "--dither", "strong", "-o", str(tmp_path / "x.png")])
    assert "unrecognized arguments: strong" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


def _small(path, seed=0):
    rgb = np.random.default_rng(seed).integers(0, 256, (12, 16, 3), dtype=np.uint8)
    Image.fromarray(rgb).save(path)
    return path


def test_any_error_of_one_image_is_one_line_and_the_batch_goes_on(tmp_path, capsys,
                                                                   monkeypatch):
    import os

    from kmeans_studio.core.color import images

    first, last = _small(tmp_path / "a.png"), _small(tmp_path / "z.png", 1)
    for name in ("fuzzed.tif", "huge.png"):
        _small(tmp_path / name)
    os.mkfifo(tmp_path / "pipe.png")  # read, it would block for good
    (tmp_path / "zero.png").symlink_to("/dev/zero")  # read, it would never end
    load = images.load_image

    def hostile(path, *args, **kwargs):
        # A 908-byte fuzzed TIFF made Pillow raise TypeError; a big image, MemoryError.
        errors = {"fuzzed.tif": TypeError("'<' not supported"), "huge.png": MemoryError()}
        if Path(path).name in errors:
            raise errors[Path(path).name]
        return load(path, *args, **kwargs)
    monkeypatch.setattr(images, "load_image", hostile)
    names = ["a.png", "fuzzed.tif", "pipe.png", "huge.png", "zero.png", "z.png"]
    assert main([*(str(tmp_path / n) for n in names), "-k", "4", "-q",
                 "-o", str(tmp_path / "out") + "/"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "error: fuzzed.tif: it could not be compressed: an unexpected TypeError "
        "('<' not supported).",
        "error: pipe.png: Cannot open “pipe.png”: it is a named pipe (FIFO), not a "
        "regular file.",
        "error: huge.png: it could not be compressed: there was not enough memory.",
        "error: zero.png: Cannot open “zero.png”: it is a device, not a regular file.",
        "error: 4 of 6 images could not be compressed (see above)."]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a-k4.png", "z-k4.png"]
    # One image alone: the same line, no traceback.
    assert main([str(tmp_path / "huge.png"), "-k", "4"]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "error: huge.png: it could not be compressed: there was not enough memory.")
    assert first.exists() and last.exists()


def test_a_fifo_among_the_inputs_neither_hangs_nor_shows_a_traceback(tmp_path):
    import os

    os.mkfifo(tmp_path / "pipe.png")
    _small(tmp_path / "a.png")
    result = run_cli(tmp_path / "pipe.png", tmp_path / "a.png", "-k", "4", "-q")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0].startswith("error: pipe.png: Cannot open")
    assert (tmp_path / "a-k4.png").exists()


def test_names_reach_the_terminal_with_control_characters_escaped(tmp_path, capsys):
    from kmeans_studio.cli import printable

    evil = _small(tmp_path / "x\x1b]0;owned\x07\x1b[2J\nerror: forged.png")
    assert main([str(evil), "-k", "4", "-o", str(tmp_path / "out") + "/"]) == 0
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err and "error:" not in err.replace(
        "\\nerror:", "")
    assert "x\\x1b]0;owned\\x07\\x1b[2J\\nerror: forged.png: 16×12" in err
    assert (tmp_path / "out" / f"{evil.stem}-k4.png").exists()  # the file's own name
    # An error line about it is one line too; ordinary Unicode stays readable.
    assert main([str(tmp_path / "gone\nerror: ok.png"), "-q"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert printable("“été china.jpg”") == "“été china.jpg”"
    assert printable("a\tb\u2028c\udcff") == "a\\tb\\u2028c\\xff"


def test_an_output_name_of_250_bytes_is_written(tmp_path, capsys):
    source = _small(tmp_path / "a.png")
    target = tmp_path / ("é" * 123 + "x.png")  # 251 bytes in UTF-8
    assert len(target.name.encode()) == 251
    assert main([str(source), "-k", "4", "-o", str(target), "-q"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([source.name, target.name])


def test_huge_nan_and_fully_transparent_pictures_are_refused_in_a_sentence(tmp_path, capsys,
                                                                          monkeypatch):
    from kmeans_studio.core import limits

    monkeypatch.setattr(limits, "MAX_PIXELS", 100)  # 16 × 12 = 192 pixels
    _small(tmp_path / "big.png")
    Image.fromarray(np.array([[np.nan, 1.0]], dtype=np.float32), "F").save(tmp_path / "nan.tif")
    Image.fromarray(np.zeros((3, 3, 4), np.uint8), "RGBA").save(tmp_path / "clear.png")
    assert main([str(tmp_path / n) for n in ("big.png", "nan.tif", "clear.png")]
                + ["-k", "2", "-q"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[:3] == [
        "error: big.png: “big.png” has 16×12 = 0 megapixels; K-Means Studio reads at most "
        "0 megapixels (scale it down first).",
        "error: nan.tif: “nan.tif” has pixels that are not numbers (NaN or infinite), so "
        "their colours are unknown.",
        # The same sentence as the window's Image page (core.images).
        "error: clear.png: “clear.png” is fully transparent: it has no visible pixel to "
        "compress."]
    # Flattened on a colour, a fully transparent image is a picture of that colour.
    assert main([str(tmp_path / "clear.png"), "--background", "black", "-k", "2", "-q"]) == 0


def test_a_plain_compress_loads_only_the_kernels_it_uses(photo, tmp_path):
    """Cached kernels load when first called: no dithering's, and nothing of the
    engine's BLAS kernels, for an undithered picture."""
    code = ("import sys\nfrom kmeans_studio.cli import main\n"
            "assert main(sys.argv[1:]) == 0\n"
            "print(sorted(m for m in sys.modules if m.endswith('_kernels')))")
    result = subprocess.run([sys.executable, "-c", code, str(photo), "-o",
                             str(tmp_path / "out.png"), "-q"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['kmeans_studio.core.color._tree_kernels']", result.stdout


def test_one_background_compile_at_a_time(monkeypatch, tmp_path):
    """A compile under way (its lock held) is neither doubled by a later run nor by a
    second compiling process."""
    from kmeans_studio.core.color import warmup

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    held = warmup._compile_lock()
    if held is None:
        pytest.skip("no file locks here")
    started, compiled = [], []
    monkeypatch.setattr(warmup.subprocess, "Popen", lambda *a, **k: started.append(a))
    monkeypatch.setattr(warmup, "warm_up", lambda: compiled.append(True))
    monkeypatch.setattr("kmeans_studio.core.engine.kmeans.warm_up",
                        lambda: compiled.append("engine"))
    monkeypatch.setattr(warmup.os, "nice", lambda _: None)
    monkeypatch.setattr(warmup, "_background", [])
    assert held and warmup.compiling_elsewhere()
    warmup.compile_in_background()
    warmup.compile_here()
    assert started == [] and compiled == []
    # A run meanwhile takes the numpy way: the cache may still lack a kernel it needs.
    from kmeans_studio import cli
    from kmeans_studio.core.engine import _compiled

    monkeypatch.setattr(warmup, "kernels_cached", lambda dither: True)
    small = tmp_path / "small.png"
    Image.new("RGB", (100, 100)).save(small)
    said = []
    monkeypatch.setattr(_compiled, "_declined", False)  # given back after the test
    assert cli._ready_kernels([small], said.append, False) is True
    assert not _compiled.available() and "compiling in the background" in said[0]
    held.close()
    assert not warmup.compiling_elsewhere()
    warmup.compile_here()
    warmup.compile_in_background()
    assert compiled == [True, "engine"] and len(started) == 1


def test_the_background_compile_compiles_this_package_from_any_folder(monkeypatch, tmp_path):
    """Run from a checkout after `pip install .`, ``python -m kmeans_studio`` would
    import the checkout's copy (the current folder comes first) and compile its
    kernels, not the installed package's: the compile runs where this package is."""
    from kmeans_studio.core.color import warmup

    decoy = tmp_path / "kmeans_studio"
    decoy.mkdir()
    (decoy / "__init__.py").write_text("")
    monkeypatch.chdir(tmp_path)
    started = []
    monkeypatch.setattr(warmup.subprocess, "Popen",
                        lambda args, **options: started.append((args, options)))
    monkeypatch.setattr(warmup, "_background", [])
    monkeypatch.setattr(warmup, "compiling_elsewhere", lambda: False)
    warmup.compile_in_background()
    monkeypatch.undo()  # (subprocess.run below needs the real Popen)
    (args, options), = started
    assert args[1:3] == ["-m", "kmeans_studio"]
    which = [args[0], "-c", "import kmeans_studio; print(kmeans_studio.__file__)"]

    def imported(folder):
        return subprocess.run(which, cwd=folder, capture_output=True, text=True,
                              check=True).stdout.strip()

    assert imported(tmp_path) == str(decoy / "__init__.py")  # what the folder did
    assert imported(options["cwd"]) == str(Path(kmeans_studio.__file__).resolve())
