"""The benchmark county's data, built or reused: the 100,000-enterprise county (the demo
generator, seed 1), its hazards (hazards_data.py, seed 7) and accidents (accidents_data.py,
seed 11), each added only up to the size asked. Both loaders count the statistics'
rollups again after their bulk inserts. Call after run.setup_django."""

from __future__ import annotations


def ensure(*, enterprises: int, hazards: int, accidents: int = 0) -> None:
    from django.core.management import call_command

    from anjian.accidents.models import Accident
    from anjian.demo.generator import build_demo, database_is_empty, stderr_progress
    from anjian.hazards.models import Hazard

    call_command("migrate", verbosity=0)
    if database_is_empty():
        build_demo(enterprises=enterprises, seed=1, progress=stderr_progress)
    have = Hazard.objects.count()
    if have < hazards:
        from hazards_data import generate

        generate(hazards - have, progress=stderr_progress)
    have = Accident.objects.count()
    if have < accidents:
        from accidents_data import generate as generate_accidents

        generate_accidents(accidents - have, progress=stderr_progress)
