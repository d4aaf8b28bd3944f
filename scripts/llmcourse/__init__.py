"""The LLM course toolkit: repair, conversion, import and checks shared by hooks and CLI."""

from pathlib import Path

from llmcourse.fsio import atomic_write, write_if_changed

ROOT = Path(__file__).resolve().parent.parent.parent
DOCS = ROOT / "docs"
LOCALES = ROOT / "locales"
#: Work kept for the next build (caches, import backups): never committed, never shipped.
CACHE = ROOT / ".cache"

__all__ = ["CACHE", "DOCS", "LOCALES", "ROOT", "atomic_write", "write_if_changed"]
