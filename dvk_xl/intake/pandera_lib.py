"""pandera for the intake's one validation pass, without the optional packages it looks for in vain.

When the ``hypothesis`` package is installed (a developer's environment, or a Python shared with
other tools), pandera imports it on its first validation to register strategies for generating
test data: about 0.15 s of every ``dvk consolidate`` and ``dvk validate`` for nothing. Importing
pandera's strategy modules once with ``hypothesis`` hidden makes pandera take the path it takes
when the package is absent; ``hypothesis`` itself stays importable for everything else.

When ``geopandas`` is not installed, pandera tries to import it for every column of every validation
(a search of the whole path each time, as failed imports are not remembered); it is recorded once as
absent, which is what each of those attempts finds out.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

_STRATEGIES = "pandera.strategies.pandas_strategies"


def pandera() -> ModuleType:
    """``pandera.pandas``, its strategies loaded without hypothesis unless hypothesis is already in use."""
    if _STRATEGIES not in sys.modules and "hypothesis" not in sys.modules:
        sys.modules["hypothesis"] = None  # type: ignore[assignment] - an import of it raises ImportError
        try:
            import pandera.strategies.pandas_strategies  # noqa: F401
        except ImportError:  # a pandera that needs hypothesis after all: load it the ordinary way below
            sys.modules.pop(_STRATEGIES, None)
        finally:
            if sys.modules.get("hypothesis", 0) is None:
                del sys.modules["hypothesis"]
    if "geopandas" not in sys.modules and importlib.util.find_spec("geopandas") is None:
        sys.modules["geopandas"] = None  # type: ignore[assignment] - not installed: its import fails at once
    import pandera.pandas as pa

    return pa
