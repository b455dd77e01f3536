"""The monitoring models, one module per part: points (gateways, points), alarms
(set-points, rules, alarms and their history), readings (raw readings, rejections,
aggregates, latest values)."""

from .alarms import *  # noqa: F403
from .points import *  # noqa: F403
from .readings import *  # noqa: F403
