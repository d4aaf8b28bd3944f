"""mkdocs-jupyter's renderer (nbconvert) and jupytext imported when a notebook is rendered.

mkdocs-jupyter's plugin imports its renderer, and with it nbconvert (about a second), and
jupytext (half a second) when MkDocs loads the plugin; yet ``notebook_html.rendered`` serves
every rendering from its cache in most builds and serve rebuilds, and the plugin's own use of
jupytext (asking each Markdown page whether it is a notebook) is off in mkdocs.yml
(``ignore: ["*.md"]``). Listed in mkdocs.yml's plugins before mkdocs-jupyter, this plugin makes
those imports lazy: each module is made in ``sys.modules`` but its code runs only the first
time one of its names is used (a notebook rendered), and not before. (The standard
library's ``importlib.util.LazyLoader`` does not do for a top-level ``import jupytext``: on
Python 3.11 the import statement itself reads the module's attributes, which runs it.)
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from mkdocs.plugins import BasePlugin

#: The modules mkdocs-jupyter's plugin imports at load time and uses only to render.
RENDERER = ("jupytext", "mkdocs_jupyter.convert")


class LazyRenderer(BasePlugin):
    """Loaded before mkdocs-jupyter (mkdocs.yml): its renderer is imported on first use."""

    def __init__(self) -> None:
        super().__init__()
        for name in RENDERER:
            defer(name)


def defer(name: str) -> ModuleType:
    """The module ``name``, to be run when one of its names is first used (as it is if already
    imported). ModuleNotFoundError when it is not installed."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)  # imports the parent package (light), not the module
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"{name}: not installed", name=name)
    module = importlib.util.module_from_spec(spec)
    module.__class__ = _Deferred
    sys.modules[name] = module
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, module)
    return module


class _Deferred(ModuleType):
    """A module not run yet: the first name looked up that it lacks (anything but what the
    import system set: ``__spec__``, ``__path__``, ``__file__``…) runs its code in this very
    module object, as an import would have, so whoever holds it, and patches it, sees one
    module. If its code fails, it stays not run: the next use tries again and raises the same
    error, not a half-made module's missing name."""

    def __getattr__(self, attr: str) -> object:
        before = dict(self.__dict__)
        self.__class__ = ModuleType
        try:
            self.__spec__.loader.exec_module(self)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(before)
            self.__class__ = _Deferred
            raise
        return getattr(self, attr)
