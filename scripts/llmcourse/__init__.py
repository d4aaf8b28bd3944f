"""The LLM course toolkit: repair, conversion, import and checks shared by hooks and CLI."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
DOCS = ROOT / "docs"
LOCALES = ROOT / "locales"
