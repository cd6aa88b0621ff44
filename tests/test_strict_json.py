"""strict_loads reads every JSON number as json does, and refuses one that overflows a float."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from hvbpa.strict_json import StrictJSONError, strict_loads

# Any JSON number: sign, integer part, fraction, exponent (with or without sign and zeros).
NUMBERS = st.from_regex(r"\A-?(0|[1-9][0-9]{0,400})(\.[0-9]{1,30})?([eE][+-]?[0-9]{1,5})?\Z")


@given(NUMBERS)
@example("1e999")
@example("1E+0400")
@example("9" * 309 + ".0")
@example("1e308")
@example("1e-999")
def test_a_number_is_read_as_json_reads_it_or_refused_when_not_finite(text: str) -> None:
    expected = json.loads(text, parse_float=float)
    overflows = isinstance(expected, float) and not math.isfinite(expected)
    document = f'{{"vms": [{{"n": {text}}}]}}'
    if overflows:
        with pytest.raises(StrictJSONError, match=r"vms\[0\]\.n: .* is not a finite number"):
            strict_loads(document)
    else:
        assert strict_loads(document) == {"vms": [{"n": expected}]}
