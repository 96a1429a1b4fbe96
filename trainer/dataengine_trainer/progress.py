"""JSON-lines progress on stdout (one object per line, flushed)."""
from __future__ import annotations

import json
import math
import sys


def _clean(v):
    if isinstance(v, float):
        return None if math.isnan(v) or math.isinf(v) else round(v, 6)
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    return v


def emit(event: str, **fields) -> None:
    sys.stdout.write(json.dumps({"event": event, **_clean(fields)}) + "\n")
    sys.stdout.flush()
