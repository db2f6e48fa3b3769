import subprocess
import sys


def test_core_imports_no_qt():
    code = (
        "import sys, kmeans_studio.core, kmeans_studio.core.engine.kmeans;"
        "import kmeans_studio.core.engine._compiled;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_core_package_does_not_import_qt_in_source():
    import re
    from pathlib import Path

    import kmeans_studio.core

    qt_import = re.compile(r"^\s*(import|from)\s+(PySide6|pyqtgraph|shiboken6)\b", re.M)
    root = Path(kmeans_studio.core.__file__).parent
    offenders = [p.name for p in root.rglob("*.py") if qt_import.search(p.read_text())]
    assert offenders == []
