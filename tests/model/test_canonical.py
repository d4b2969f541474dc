"""``canonical_fast`` gives ``canonical_bytes``'s bytes: hashes and signatures depend on it."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from puente.model.canonical import canonical_bytes, canonical_fast

values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=500, deadline=None)
@given(values)
def test_same_bytes_as_canonical_bytes(data: Any) -> None:
    assert canonical_fast(data) == canonical_bytes(data)


def test_same_bytes_for_every_code_point_in_keys_and_values() -> None:
    for start in range(0, sys.maxunicode + 1, 4096):
        chars = [chr(c) for c in range(start, start + 4096) if not 0xD800 <= c <= 0xDFFF]
        text = "".join(chars)
        data = {text: [text, "a"], "b" + text[:5]: [text[::-1]]}
        assert canonical_fast(data) == canonical_bytes(data), hex(start)


def test_what_orjson_refuses_goes_through_canonical_bytes() -> None:
    for data in ({"n": 2**70}, [10**30, "x"]):
        assert canonical_fast(data) == canonical_bytes(data)
    for broken in ({"s": "\ud800"}, "\udfff"):  # a lone surrogate: neither can encode it
        with pytest.raises(UnicodeEncodeError):
            canonical_fast(broken)
