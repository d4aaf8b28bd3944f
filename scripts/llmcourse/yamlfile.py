"""The toolkit's own YAML data files (locales, policies, tables), read with libyaml.

Every build process reads them: PyYAML's pure-Python loader took a tenth of a second for the
locale files alone. libyaml's safe loader gives the same data. Pages' front matter is not
read here: its parser (:func:`llmcourse.mdspans.front_matter`) needs the pure-Python loader's
character positions.
"""

from __future__ import annotations

from pathlib import Path

import yaml

#: libyaml's safe loader where PyYAML was built with it (wheels are), else the Python one.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read(path: Path) -> object:
    """The data of a YAML file, as ``yaml.safe_load`` reads it."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=LOADER)  # noqa: S506 - safe
