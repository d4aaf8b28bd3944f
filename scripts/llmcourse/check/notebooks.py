"""A notebook: JSON with a list of cells, one Chinese source, nothing that runs script."""

from __future__ import annotations

import json
import re
from pathlib import Path

from llmcourse import chinese, mdtext, pages
from llmcourse.check.page_checks import page_text
from llmcourse.check.report import FileReport, Positions
from llmcourse.check.site import Site, key_of, lang_of
from llmcourse.check.unsafe import masked_text, unsafe_html


def check_notebook(site: Site, path: Path, report: FileReport) -> None:
    """A notebook is JSON with a list of cells and runs no script in the page."""
    text = page_text(path, report)  # what the build refuses (size, encoding, JSON), as for pages
    if text is None:
        return
    nb = json.loads(text)
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        report.add(1, 1, "notebook has no list of cells", "re-save it from Jupyter")
        return
    rel = path.relative_to(site.root).as_posix()
    key, ext = key_of(rel)
    lang, zh = lang_of(path), site.chinese_source(key, ext)
    if lang not in chinese.SCRIPTS and zh is None:
        report.add(
            1,
            1,
            f"{pages.language(lang).name} notebook without a Chinese source ({key}.ipynb)",
            "add the Chinese notebook or remove this one",
        )
    if lang in chinese.SCRIPTS and zh != path:  # the first source found is another file
        report.add(
            1,
            1,
            f"two Chinese sources: {zh.relative_to(site.root).as_posix()} and {rel}",
            "keep one of them",
        )
    cell_lines = [m.start() for m in re.finditer(r'"cell_type"', text)]
    where = Positions(text)
    for n, cell in enumerate(nb["cells"]):
        line = where.at(cell_lines[n])[0] if n < len(cell_lines) else 1
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("markdown", "code", "raw"):
            report.add(
                line,
                1,
                f"cell {n + 1} has no valid cell_type",
                "cell_type is markdown, code or raw",
            )
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(s, str) for s in source):
            source = "".join(source)
        if not isinstance(source, str):
            report.add(
                line,
                1,
                f"cell {n + 1}: source must be text or a list of lines",
                "re-save it from Jupyter",
            )
            continue
        if cell["cell_type"] == "markdown":
            lines = source.splitlines()
            masked = masked_text(lines, mdtext.code_mask(lines))
            cell_pos = Positions(masked)
            for offset, message, hint in unsafe_html(masked):
                cl, _ = cell_pos.at(offset)
                report.add(line, 1, f"cell {n + 1}, line {cl}: {message}", hint, kind="unsafe HTML")
        outputs = cell.get("outputs")
        for output in outputs if isinstance(outputs, list) else []:
            bundle = output.get("data", {}) if isinstance(output, dict) else {}
            if not isinstance(bundle, dict):
                continue
            for mime in bundle:
                if "javascript" in mime or mime.endswith("ecmascript"):
                    report.add(
                        line,
                        1,
                        f"cell {n + 1}: output {mime} runs script in the page",
                        "clear the output or save it as an image",
                    )
            html_out = bundle.get("text/html")
            if isinstance(html_out, list):
                html_out = "".join(str(s) for s in html_out)
            if isinstance(html_out, str):
                for _, message, hint in unsafe_html(html_out)[:1]:
                    report.add(line, 1, f"cell {n + 1}: HTML output: {message}", hint)
