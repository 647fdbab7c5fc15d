"""The receivers that bump cached pages stay connected after start-up. A receiver defined
inside an app's ready() and connected weakly is collected once ready() returns: the cache
was then never bumped (found when the worker's list kept a removed question)."""

from __future__ import annotations

import gc

import pytest
from django.db.models.signals import post_delete, post_save

from whatworks.checkins.models import EscalationRule, Question, QuestionModule
from whatworks.trials.models import Trial, TrialArm, TrialResult, TrialStatusChange


@pytest.mark.parametrize(
    "model",
    [Question, QuestionModule, EscalationRule, Trial, TrialArm, TrialStatusChange, TrialResult],
)
def test_the_cache_bumping_receivers_outlive_start_up(model: type) -> None:
    gc.collect()  # what a weakly connected local function would not survive
    assert post_save.has_listeners(model)
    assert post_delete.has_listeners(model)
