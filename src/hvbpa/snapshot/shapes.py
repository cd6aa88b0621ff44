"""The shapes a snapshot's values must have: patterns, limits and the annotated types that carry them.

One definition for three readers: the model's annotations (which msgspec checks while
decoding), the checked parser (which names the bad field) and the generated JSON Schema.
Patterns end in ``\\Z`` because Python's ``$`` also matches before a final line break;
the schema writes them with ``$``, which in JSON Schema's regex dialect is the end.
"""

from __future__ import annotations

import re
from typing import Annotated

from msgspec import Meta

GUID_PATTERN = r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
# ISO 8601 as the collector writes it (UTC, "Z"). The shape only: a rule that cannot read a
# well-shaped but impossible date treats it as missing.
TIMESTAMP_PATTERN = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?(Z|[+-]\d{2}:\d{2})"
OID_PATTERN = r"[0-2](\.[0-9]+)+"  # dotted decimal, as X509EnhancedKeyUsageExtension lists them

GUID = re.compile(GUID_PATTERN)
TIMESTAMP = re.compile(TIMESTAMP_PATTERN)
OID = re.compile(OID_PATTERN)

DAY = 86400  # a time of day in seconds is below this
PORT_MAX = 65535
CLUSTER_STATE_MAX = 2**32 - 1  # MSCluster_Resource.State is a uint32
# The largest number a snapshot may hold where a float is read (seconds: about 31 million years).
MAX_NUMBER = 1e15


def is_timestamp(text: str) -> bool:
    return TIMESTAMP.fullmatch(text) is not None


def _whole(pattern: str) -> str:
    return f"^(?:{pattern})\\Z"


Guid = Annotated[str, Meta(pattern=_whole(GUID_PATTERN))]
Timestamp = Annotated[str, Meta(pattern=_whole(TIMESTAMP_PATTERN))]
Oid = Annotated[str, Meta(pattern=_whole(OID_PATTERN))]
NonEmpty = Annotated[str, Meta(min_length=1)]  # required text, and each item of a list of names or paths
Count = Annotated[int, Meta(ge=0)]  # seconds, hours, bits per second
TimeOfDay = Annotated[int, Meta(ge=0, le=DAY - 1)]
Port = Annotated[int, Meta(ge=0, le=PORT_MAX)]
Seconds = Annotated[float, Meta(ge=0, le=MAX_NUMBER)]
