"""llmcourse.lazy_renderer: a module made at once and run on first use (mkdocs-jupyter's
renderer and jupytext), on toy packages written for the test."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from llmcourse import lazy_renderer


@pytest.fixture
def toy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A package `toypkg` whose code records each run in `toypkg_runs`."""
    pkg = tmp_path / "toypkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text(
        "import toypkg_runs\ntoypkg_runs.runs.append('pkg')\nfrom .sub import Thing\n"
        "def hello():\n    return 'hi'\n",
        encoding="utf-8",
    )
    (pkg / "sub.py").write_text(
        "import toypkg_runs\ntoypkg_runs.runs.append('sub')\nclass Thing:\n    pass\n",
        encoding="utf-8",
    )
    (tmp_path / "toypkg_runs.py").write_text("runs = []\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield pkg
    for name in [n for n in sys.modules if n.startswith("toypkg")]:
        del sys.modules[name]


def runs() -> list[str]:
    import toypkg_runs

    return toypkg_runs.runs


def test_a_deferred_module_runs_once_on_first_use(toy: Path) -> None:
    module = lazy_renderer.defer("toypkg")
    import toypkg  # what mkdocs-jupyter's plugin does at load time: nothing runs

    assert toypkg is module
    assert runs() == []
    assert toypkg.hello() == "hi"
    assert runs() == ["pkg", "sub"]
    toypkg.hello = lambda: "patched"  # a patch reaches the one module everyone holds
    assert sys.modules["toypkg"].hello() == "patched"
    assert runs() == ["pkg", "sub"]


def test_a_submodule_imported_first_runs_once(toy: Path) -> None:
    lazy_renderer.defer("toypkg")
    import toypkg.sub

    assert toypkg.Thing is toypkg.sub.Thing
    assert runs().count("sub") == 1


def test_a_module_whose_code_fails_raises_the_same_error_again(toy: Path) -> None:
    (toy / "__init__.py").write_text("raise ImportError('no renderer here')\n", encoding="utf-8")
    module = lazy_renderer.defer("toypkg")
    for _ in range(2):
        with pytest.raises(ImportError, match="no renderer here"):
            module.hello  # noqa: B018 - the first use runs the module
    assert sys.modules["toypkg"] is module
