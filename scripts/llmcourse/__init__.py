"""The LLM course toolkit: repair, conversion, import and checks shared by hooks and CLI."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
DOCS = ROOT / "docs"
LOCALES = ROOT / "locales"


def write_if_changed(path: Path, text: str) -> Path:
    """Write a generated file only when its content changes (mkdocs serve, git stay quiet)."""
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return path
