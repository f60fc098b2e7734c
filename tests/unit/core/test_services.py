"""Typed feature services: lazy building, the swap helper, and the composition root's wiring."""

from __future__ import annotations

import threading
import time

import pytest

from bot.context import Lazy
from bot.core.ports import PathInputs
from bot.features.paths.service import PathService
from bot.handlers.home import HomeSections
from nudges.reviews import SpacedReviews
from nudges.service import NudgeService, nudge_service
from tests.fakes import use_features


def test_lazy_builds_once_on_first_use_even_from_several_threads() -> None:
    calls: list[int] = []

    def build() -> object:
        calls.append(1)
        time.sleep(0.05)  # long enough for the other threads to arrive while it builds
        return object()

    lazy = Lazy(build)
    assert calls == [], "nothing is built before it is needed"
    got: list[object] = []
    threads = [threading.Thread(target=lambda: got.append(lazy.get())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert len({id(g) for g in got}) == 1, "every caller gets the same service"


def test_a_ready_service_is_handed_back_as_it_is() -> None:
    value = object()
    assert Lazy.ready(value).get() is value


def test_the_composition_root_plugs_every_feature_in(core) -> None:  # type: ignore[no-untyped-def]
    services = core.services
    assert isinstance(services.paths, PathService)
    assert isinstance(services.reviews, SpacedReviews)
    assert isinstance(services.home, HomeSections)
    assert services.mastery_check is not None
    assert services.library is not None
    assert services.nudges is not None
    assert nudge_service(services) is services.nudges.get()
    assert isinstance(nudge_service(services), NudgeService)
    assert services.chat_ports.ports == {}, "adapters add their ports when they mount"


def test_router_commands_are_complete_at_construction(core) -> None:  # type: ignore[no-untyped-def]
    names = list(core.router.commands)
    assert names[:3] == ["help", "start", "forget-me"]
    assert {"ask", "quiz", "path", "next", "nudges", "team", "admin"} <= set(names)


def test_swapping_a_feature_needs_a_real_field_name(core) -> None:  # type: ignore[no-untyped-def]
    class NoPath:
        def catalogue(self) -> list:  # type: ignore[type-arg]
            return []

        def inputs(self, learner_id, *, now) -> PathInputs:  # type: ignore[no-untyped-def]
            return PathInputs(None, [])

    fake = NoPath()
    assert use_features(core.services, paths=fake).paths is fake
    with pytest.raises(TypeError, match="no field path_inputs"):
        use_features(core.services, path_inputs=fake)


def test_make_core_builds_with_the_fakes_in_place(make_core) -> None:  # type: ignore[no-untyped-def]
    core = make_core(mastery_check=None, home=None)
    assert core.services.mastery_check is None
    assert core.services.home is None
