"""Shared pytest configuration: hypothesis profiles.

``default`` is quick (for the edit-test loop); ``ci`` is thorough and
derandomized, so a CI failure reproduces, and sized so that the whole suite
stays under five minutes on two cores; ``deep`` draws five times as many
examples, at random, for a run now and then (before a release, after a change
to a rule). Pick one with the environment variable ``HYPOTHESIS_PROFILE``
(tests may read the environment; the library never does).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "default",
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "deep",
    max_examples=1000,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
