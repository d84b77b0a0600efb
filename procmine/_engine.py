"""pm4py, imported once and quietly.

pm4py is the engine behind procmine's own API; nothing outside procmine's modules needs to
know its types or parameter names. It prints a licence banner when imported from a script's
``__main__``; procmine's users did not import it themselves, so the banner is suppressed.
"""

from __future__ import annotations

import sys
import warnings

sys._pm4py_welcome_shown = True  # type: ignore[attr-defined]  # pm4py's own switch for its banner

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import pm4py  # noqa: E402

__all__ = ["pm4py"]
