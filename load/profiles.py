"""Load profiles as data: each a list of stages (until second, users, spawn rate).

Imported only by the Locust process (see locustfile.py).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Stage:
    until: float  # seconds since the start of the run
    users: int
    spawn_rate: float


PROFILES: dict[str, tuple[Stage, ...]] = {
    # seconds: enough to prove the wiring, cheap enough for every CI run
    "smoke": (Stage(15, 4, 4),),
    # a plateau: what a busy integration does all day
    "steady": (Stage(30, 10, 5), Stage(150, 10, 5)),
    # step up until something gives
    "ramp": (Stage(30, 5, 5), Stage(60, 15, 5), Stage(90, 30, 5), Stage(120, 50, 10)),
    # a quiet base, a sudden burst, quiet again (month-end contract imports)
    "spike": (Stage(20, 5, 5), Stage(35, 60, 60), Stage(60, 5, 60)),
}


def stage_at(profile: tuple[Stage, ...], run_time: float) -> Stage | None:
    """The stage in force `run_time` seconds in, or None once the profile is over."""
    for stage in profile:
        if run_time < stage.until:
            return stage
    return None
