"""Checks for the teaching notebooks under docs/notebooks.

Every topic has two notebooks with identical code cells: ``<topic>.ipynb`` with Markdown in
Traditional Chinese (the source language) and ``<topic>.en.ipynb`` with Markdown in English.
Their outputs are stored in the files and must match what the code prints today. After editing
a notebook, re-execute both versions so the stored outputs are deterministic byte for byte:

    jupyter nbconvert --to notebook --execute --inplace \\
        --ExecutePreprocessor.kernel_name=python3 \\
        --ExecutePreprocessor.record_timing=False \\
        --NotebookExporter.preprocessors=nbconvert.preprocessors.CoalesceStreamsPreprocessor \\
        docs/notebooks/*.ipynb

``record_timing=False`` keeps execution timestamps out of the cell metadata, and the coalesce
preprocessor merges the stdout chunks that the kernel flushes at timing-dependent moments.
"""

import contextlib
import io
import re
import warnings
from pathlib import Path

import nbformat
import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "docs" / "notebooks"
EN_SUFFIX = ".en.ipynb"
MAX_BYTES = 40_000

NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
ZH_NOTEBOOKS = [p for p in NOTEBOOKS if not p.name.endswith(EN_SUFFIX)]
EN_NOTEBOOKS = [p for p in NOTEBOOKS if p.name.endswith(EN_SUFFIX)]

# Han ideographs plus CJK and full-width punctuation: present in zh-TW prose, absent in English.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
REMOTE_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*(?:https?:)?//|<img\b", re.IGNORECASE)


def _ids(paths: list[Path]) -> list[str]:
    return [p.name for p in paths]


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _code_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def _markdown_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [cell for cell in nb.cells if cell.cell_type == "markdown"]


def _stored_stdout(cell: nbformat.NotebookNode) -> str:
    return "".join(
        out.text for out in cell.outputs if out.output_type == "stream" and out.name == "stdout"
    )


def _en_twin(zh_path: Path) -> Path:
    return zh_path.with_name(zh_path.name.removesuffix(".ipynb") + EN_SUFFIX)


def _zh_twin(en_path: Path) -> Path:
    return en_path.with_name(en_path.name.removesuffix(EN_SUFFIX) + ".ipynb")


def test_notebooks_exist() -> None:
    assert ZH_NOTEBOOKS, f"no zh-TW notebooks found in {NOTEBOOK_DIR}"
    assert EN_NOTEBOOKS, f"no English notebooks found in {NOTEBOOK_DIR}"


@pytest.mark.parametrize("path", ZH_NOTEBOOKS, ids=_ids(ZH_NOTEBOOKS))
def test_zh_notebook_has_english_twin(path: Path) -> None:
    assert _en_twin(path).is_file(), f"{path.name} has no English version {_en_twin(path).name}"


@pytest.mark.parametrize("path", EN_NOTEBOOKS, ids=_ids(EN_NOTEBOOKS))
def test_english_notebook_has_zh_twin(path: Path) -> None:
    assert _zh_twin(path).is_file(), f"{path.name} has no zh-TW version {_zh_twin(path).name}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_is_valid_and_small(path: Path) -> None:
    nb = _read(path)
    nbformat.validate(nb)
    assert nb.nbformat == 4
    size = path.stat().st_size
    assert size < MAX_BYTES, f"{path.name} is {size} bytes; keep notebooks under {MAX_BYTES}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_starts_with_title(path: Path) -> None:
    nb = _read(path)
    assert nb.cells, f"{path.name} is empty"
    first = nb.cells[0]
    assert first.cell_type == "markdown", f"{path.name}: the first cell must be Markdown"
    assert re.match(r"# \S", first.source), f"{path.name}: the first cell must start with '# '"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_markdown_is_self_contained(path: Path) -> None:
    for i, cell in enumerate(_markdown_cells(_read(path))):
        assert "<script" not in cell.source.lower(), f"{path.name} markdown cell {i}: <script>"
        assert not REMOTE_IMAGE.search(cell.source), f"{path.name} markdown cell {i}: image"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_code_cells_have_clean_stored_outputs(path: Path) -> None:
    nb = _read(path)
    cells = _code_cells(nb)
    assert cells, f"{path.name} has no code cells"
    for i, cell in enumerate(cells):
        where = f"{path.name} code cell {i}"
        assert cell.outputs, f"{where} has no stored output; execute the notebook"
        kinds = [(out.output_type, out.get("name")) for out in cell.outputs]
        assert "error" not in [kind for kind, _ in kinds], f"{where} stored an error"
        assert kinds == [("stream", "stdout")], (
            f"{where}: expected one coalesced stdout stream (text output only), got {kinds}"
        )
        assert cell.execution_count == i + 1, (
            f"{where}: execution_count {cell.execution_count}; run all cells top to bottom once"
        )
        assert "execution" not in cell.metadata, f"{where} stores execution timestamps"


@pytest.mark.parametrize("zh_path", ZH_NOTEBOOKS, ids=_ids(ZH_NOTEBOOKS))
def test_translations_share_code_and_structure(zh_path: Path) -> None:
    en_path = _en_twin(zh_path)
    assert en_path.is_file(), f"{en_path.name} is missing"
    zh, en = _read(zh_path), _read(en_path)

    assert [c.cell_type for c in zh.cells] == [c.cell_type for c in en.cells], (
        f"{zh_path.name} and {en_path.name} must have the same sequence of cell types"
    )
    zh_code, en_code = _code_cells(zh), _code_cells(en)
    for i, (a, b) in enumerate(zip(zh_code, en_code, strict=True)):
        assert a.source == b.source, f"code cell {i} differs between the two languages"
        assert _stored_stdout(a) == _stored_stdout(b), f"stored output {i} differs"

    for i, cell in enumerate(_markdown_cells(zh)):
        assert CJK.search(cell.source), f"{zh_path.name} markdown cell {i} has no Chinese text"
    for i, cell in enumerate(_markdown_cells(en)):
        match = CJK.search(cell.source)
        assert not match, f"{en_path.name} markdown cell {i} contains {match.group()!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
@pytest.mark.slow
def test_stored_outputs_match_a_fresh_run(path: Path) -> None:
    import numpy as np  # a test dependency: the notebooks need it to run

    namespace: dict[str, object] = {"__name__": "__main__"}
    # np.printoptions() restores numpy's global print options that the notebook changes.
    with np.printoptions(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for i, cell in enumerate(_code_cells(_read(path))):
            stdout, stderr = io.StringIO(), io.StringIO()
            code = compile(cell.source, f"{path.name}, code cell {i}", "exec")
            with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
                exec(code, namespace)
            where = f"{path.name} code cell {i}"
            assert stderr.getvalue() == "", f"{where} wrote to stderr"
            assert stdout.getvalue() == _stored_stdout(cell), (
                f"{where}: stored output is stale; re-execute the notebook"
            )
    assert not caught, f"{path.name} raised warnings: {[str(w.message) for w in caught]}"
