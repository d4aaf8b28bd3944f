"""Notebooks rendered by mkdocs-jupyter in every language of the i18n build."""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs_jupyter.plugin import NotebookFile


@event_priority(-110)  # after mkdocs-static-i18n (-100), which re-creates files as plain File
def on_files(files: Files, *, config: MkDocsConfig) -> Files:
    """Wrap the language's .ipynb files again so mkdocs-jupyter renders them as pages."""
    wrapped = []
    for file in files:
        if file.src_uri.endswith(".ipynb") and not isinstance(file, NotebookFile):
            file = _as_notebook(file, config)
        wrapped.append(file)
    return type(files)(files.plugin, wrapped) if hasattr(files, "plugin") else Files(wrapped)


def _as_notebook(file: File, config: MkDocsConfig) -> NotebookFile:
    """A NotebookFile that keeps the destination and URL i18n gave the file."""
    notebook = NotebookFile(file, **config)
    notebook.dest_path = file.dest_path
    notebook.abs_dest_path = file.abs_dest_path
    notebook.url = file.url
    return notebook
