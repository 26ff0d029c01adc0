"""Values as plain data between a student's sandbox and the tests (kernels/grading/plain.py)."""

from __future__ import annotations

import json
import math

import numpy
import pandas
import pytest

from kernels.grading.plain import MAX_DEPTH, NotPlain, Opaque, decode, encode


def _round_trip(value: object) -> object:
    return decode(json.loads(json.dumps(encode(value), allow_nan=False)))


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        False,
        0,
        -7,
        2**100,
        1.5,
        "text",
        "",
        b"\x00\xff",
        3 + 4j,
        [1, [2, "x"]],
        (1, (2,)),
        {1, "a"},
        frozenset({(1, 2)}),
        {"a": 1, (1, 2): [3], 4: None},
        [],
        (),
        {},
        {"nested": {"deep": [1.25, {"k": b"v"}]}},
    ],
)
def test_plain_values_come_back_equal_and_of_the_same_exact_type(value: object) -> None:
    back = _round_trip(value)
    assert back == value
    assert type(back) is type(value)


def test_special_floats_cross() -> None:
    back = _round_trip([math.inf, -math.inf, math.nan])
    assert back[0] == math.inf and back[1] == -math.inf and math.isnan(back[2])


def test_objects_that_lie_arrive_as_opaque_values_equal_to_nothing() -> None:
    class Anything:
        def __eq__(self, other: object) -> bool:
            return True

    class Sly(int):
        def __eq__(self, other: object) -> bool:
            return True

    for liar in (Anything(), Sly(3)):
        back = _round_trip(liar)
        assert isinstance(back, Opaque)
        assert back != 3 and not (back == liar) and back != back
    assert "Sly" in repr(_round_trip(Sly(3)))


def test_functions_cross_as_handles_called_back_through_the_channel() -> None:
    seen: list[tuple[int, tuple, dict]] = []

    def square(x: int) -> int:
        return x * x

    handles: list[object] = []
    data = encode({"f": square}, lambda function: handles.append(function) or len(handles) - 1)
    back = decode(data, call=lambda ref, args, kwargs: seen.append((ref, args, kwargs)) or 9)
    assert back["f"](3, base=1) == 9
    assert seen == [(0, (3,), {"base": 1})] and handles == [square]
    assert back["f"].__name__ == "square"
    assert isinstance(_round_trip(square), Opaque)  # without a channel, no handle


def test_numpy_and_pandas_values_cross_as_their_plain_content() -> None:
    assert _round_trip(numpy.int64(6)) == 6 and type(_round_trip(numpy.int64(6))) is int
    assert type(_round_trip(numpy.float32(0.5))) is float
    array = _round_trip(numpy.array([[1, 2], [3, 4]], dtype="int32"))
    assert isinstance(array, numpy.ndarray) and array.dtype == numpy.int32
    assert array.tolist() == [[1, 2], [3, 4]]
    series = _round_trip(pandas.Series([1.5, 2.5], index=["a", "b"], name="s"))
    assert series.equals(pandas.Series([1.5, 2.5], index=["a", "b"], name="s"))
    frame = pandas.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    assert _round_trip(frame).equals(frame)
    with pytest.raises(NotPlain, match="object cannot be checked"):
        encode(numpy.array([object()], dtype=object))


@pytest.mark.parametrize(
    "forged",
    [
        {"t": "int", "v": 1},
        {"t": "list", "v": "not a list"},
        {"t": "dict", "v": [[1]]},
        {"t": "dict", "v": [[{"t": "list", "v": []}, 1]]},
        {"t": "set", "v": [{"t": "list", "v": []}]},
        {"t": "bytes", "v": "zz"},
        {"t": "complex", "v": ["a", 1]},
        {"t": "function", "name": "f"},
        {"t": "ndarray", "dtype": "object", "v": [1]},
        {"t": "ndarray", "dtype": "int64", "v": [[1], [2, 3]]},
        {"v": 1},
        [1, 2],
    ],
)
def test_forged_json_is_refused(forged: object) -> None:
    with pytest.raises(NotPlain):
        decode(forged)


def test_too_deep_is_refused_both_ways() -> None:
    deep: list = []
    for _ in range(MAX_DEPTH + 2):
        deep = [deep]
    with pytest.raises(NotPlain, match="nested more than"):
        encode(deep)
    forged: object = 1
    for _ in range(MAX_DEPTH + 2):
        forged = {"t": "list", "v": [forged]}
    with pytest.raises(NotPlain, match="nested more than"):
        decode(forged)
