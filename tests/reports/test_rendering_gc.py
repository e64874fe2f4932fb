"""html_to_pdf pauses Python's cyclic garbage collector while WeasyPrint works, and always puts it back."""

import gc

import pytest

from reports.rendering import html_to_pdf


def test_the_collector_is_back_on_after_a_render_and_after_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    assert gc.isenabled()
    seen: list[bool] = []

    class Failing:
        def __init__(self, **kwargs: object) -> None:
            seen.append(gc.isenabled())

        def write_pdf(self) -> bytes:
            raise RuntimeError("layout failed")

    assert html_to_pdf("<p>x</p>").startswith(b"%PDF")
    assert gc.isenabled()
    monkeypatch.setattr("reports.rendering.HTML", Failing)
    with pytest.raises(RuntimeError):
        html_to_pdf("<p>x</p>")
    assert seen == [False]
    assert gc.isenabled()


def test_a_collector_turned_off_by_the_caller_stays_off() -> None:
    gc.disable()
    try:
        html_to_pdf("<p>x</p>")
        assert not gc.isenabled()
    finally:
        gc.enable()
