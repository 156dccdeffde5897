"""Nothing is registered: imports and their reports hold CRNs and case facts, and Django
admin (the administrator's tool) holds no case records. Managers see imports on
/imports/."""

from __future__ import annotations
