"""errors.py: one tree of exceptions, each also the built-in error it stands for."""

import pytest

from cxlens import errors, stats


def test_all_is_sorted_and_complete():
    assert errors.__all__ == sorted(errors.__all__)
    public = {n for n, v in vars(errors).items() if isinstance(v, type) and v.__module__ == errors.__name__}
    assert public == set(errors.__all__)


def test_input_errors_are_value_errors_and_engine_errors_runtime_errors():
    assert issubclass(errors.InputError, ValueError) and issubclass(errors.ImportRejected, ValueError)
    assert issubclass(errors.EngineError, RuntimeError)
    assert issubclass(errors.MissingDependency, ImportError)
    assert all(
        issubclass(getattr(errors, n), errors.CxlensError) for n in ("InputError", "EngineError", "MissingDependency")
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda: stats.proportion(5, 3),
        lambda: stats.nps([11]),
        lambda: stats.z_value(1.5),
        lambda: stats.quantile([1.0], 2),
        lambda: stats.kaplan_meier([1, 2], [True]),
        lambda: stats.csat([9], scale=(1, 5)),
        lambda: stats.mean(),
    ],
)
def test_statistics_refuse_bad_arguments_with_an_input_error(call):
    with pytest.raises(errors.InputError):
        call()
