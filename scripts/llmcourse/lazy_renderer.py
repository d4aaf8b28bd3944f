"""mkdocs-jupyter's renderer (nbconvert) imported when a notebook is rendered, not at start-up.

mkdocs-jupyter's plugin imports its renderer, and with it nbconvert (about a second), when
MkDocs loads the plugin; yet ``notebook_html.rendered`` serves every rendering from its cache
in most builds and serve rebuilds. Listed in mkdocs.yml's plugins before mkdocs-jupyter, this
plugin makes that import lazy with the standard library's ``importlib.util.LazyLoader``: the
module is run when one of its names is first used (a notebook rendered), and not before.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from mkdocs.plugins import BasePlugin

#: The module mkdocs-jupyter's plugin imports at load time and uses only to render.
RENDERER = "mkdocs_jupyter.convert"


class LazyRenderer(BasePlugin):
    """Loaded before mkdocs-jupyter (mkdocs.yml): its renderer is imported on first use."""

    def __init__(self) -> None:
        super().__init__()
        defer(RENDERER)


def defer(name: str) -> ModuleType:
    """The module ``name``, to be run when first used (as it is if already imported)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)  # imports the parent package (light), not the module
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"{name}: not installed", name=name)
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    parent, _, child = name.rpartition(".")
    setattr(sys.modules[parent], child, module)
    return module
