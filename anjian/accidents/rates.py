"""Injury rates: GB 6441-86 indicators and OSHA-style rates. Pure: no Django.

GB 6441-86 (standards.md A6.3 [S22]):

    千人死亡率            per_thousand_deaths  = deaths  / workforce × 10³
    千人重伤率            per_thousand_serious = serious / workforce × 10³
    百万工时伤害率 A      frequency_A = (deaths + serious + minor) / hours × 10⁶
    伤害严重率 B          severity_B  = total lost days / hours × 10⁶, where each death
                                        counts 6000 lost days (A6.2)
    伤害平均严重率 N      average_N   = B / A (= total lost days / injured persons);
                                        None when A is 0

OSHA / BLS (A6.4 [S23]), per 200,000 hours (100 FTE × 40 h × 50 weeks, OSHA FAQ):

    TRC   = recordable × 200,000 / hours  (recordable = OSHA 300 Log H+I+J, non-fatal;
            with include_fatalities the deaths, column G, are added: guides differ)
    DART  = dart_cases × 200,000 / hours  (H+I)
    LTIFR = lti × 1,000,000 / hours       (international / AS 1885.1)

Arithmetic is Decimal throughout; each rate is rounded ROUND_HALF_UP to PLACES (4)
decimal places only at the end. `workforce` is the average number of workers, so it
may carry a fraction; hours must be > 0; counts and lost days are whole numbers ≥ 0.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from anjian.accidents.grading import (
    DEATH_LOST_DAYS,
    SERIOUS_INJURY_MIN_LOST_DAYS,
    AccidentInputError,
    amount_of,
    count_of,
)

PLACES = 4
_QUANTUM = Decimal(1).scaleb(-PLACES)  # 0.0001
THOUSAND = Decimal(1000)
MILLION = Decimal(1_000_000)
OSHA_BASE_HOURS = Decimal(200_000)


def rounded(value: Decimal) -> Decimal:
    """PLACES decimal places, half up (0.00005 → 0.0001)."""
    return value.quantize(_QUANTUM, rounding=ROUND_HALF_UP)


def _hours(hours: Any) -> Decimal:
    return amount_of(hours, "hours", positive=True)


def _needs(code: str, field_name: str, zh: str, en: str) -> AccidentInputError:
    return AccidentInputError(code, field_name, zh, en)


def injury_rates(
    *,
    workforce: Any,
    deaths: Any,
    serious: Any,
    minor: Any,
    lost_days_serious: Any = None,
    lost_days_minor: Any = None,
    hours: Any = None,
) -> dict[str, Any]:
    """The GB 6441-86 indicators.

    Always: per_thousand_deaths and per_thousand_serious. With `hours`: frequency_A.
    With `hours` and lost days: severity_B and average_N. A lost-days argument may be
    left out only when its count is 0 (a missing value would understate B); lost days
    without hours are refused. `warnings` lists figures that contradict GB 6441
    (a serious injury is ≥ 105 lost days, a minor one < 105) without refusing them.
    """
    staff = amount_of(workforce, "workforce", positive=True)
    n_deaths = count_of(deaths, "deaths")
    n_serious = count_of(serious, "serious")
    n_minor = count_of(minor, "minor")
    days_serious = (
        None if lost_days_serious is None else count_of(lost_days_serious, "lost_days_serious")
    )
    days_minor = None if lost_days_minor is None else count_of(lost_days_minor, "lost_days_minor")
    have_days = days_serious is not None or days_minor is not None
    if have_days and hours is None:
        raise _needs(
            "hours_required",
            "hours",
            "计算伤害严重率需要给出实际总工时 hours",
            "The severity rate needs the actual hours worked (hours)",
        )
    if have_days:
        for name, count, days in (
            ("lost_days_serious", n_serious, days_serious),
            ("lost_days_minor", n_minor, days_minor),
        ):
            if days is None and count > 0:
                raise _needs(
                    "lost_days_required",
                    name,
                    f"有 {count} 人受伤，需要给出 {name}",
                    f"{name} is needed: there are {count} such injuries",
                )
    worked = None if hours is None else _hours(hours)

    injured = n_deaths + n_serious + n_minor
    result: dict[str, Any] = {
        "workforce": staff,
        "deaths": n_deaths,
        "serious": n_serious,
        "minor": n_minor,
        "injured": injured,
        "per_thousand_deaths": rounded(n_deaths / staff * THOUSAND),
        "per_thousand_serious": rounded(n_serious / staff * THOUSAND),
        "decimal_places": PLACES,
        "warnings": [],
    }
    if worked is None:
        return result
    frequency = Decimal(injured) / worked * MILLION
    result["hours"] = worked
    result["frequency_A"] = rounded(frequency)
    if not have_days:
        return result
    days_serious = days_serious or 0
    days_minor = days_minor or 0
    total_days = days_serious + days_minor + DEATH_LOST_DAYS * n_deaths
    severity = Decimal(total_days) / worked * MILLION
    result["lost_days_total"] = total_days
    result["severity_B"] = rounded(severity)
    # N = B / A computed from the unrounded B and A, which is total days / injured.
    result["average_N"] = rounded(severity / frequency) if injured else None
    if days_serious < SERIOUS_INJURY_MIN_LOST_DAYS * n_serious:
        result["warnings"].append(
            f"lost_days_serious={days_serious} is below {SERIOUS_INJURY_MIN_LOST_DAYS} "
            f"days for each of {n_serious} serious injuries"
        )
    if days_minor > (SERIOUS_INJURY_MIN_LOST_DAYS - 1) * n_minor:
        result["warnings"].append(
            f"lost_days_minor={days_minor} exceeds {SERIOUS_INJURY_MIN_LOST_DAYS - 1} "
            f"days for each of {n_minor} minor injuries"
        )
    return result


def trc(recordable: Any, hours: Any) -> Decimal:
    """Total recordable case rate per 200,000 hours, rounded."""
    return rounded(count_of(recordable, "recordable") * OSHA_BASE_HOURS / _hours(hours))


def dart(dart_cases: Any, hours: Any) -> Decimal:
    """Days away, restricted or transferred rate per 200,000 hours, rounded."""
    return rounded(count_of(dart_cases, "dart_cases") * OSHA_BASE_HOURS / _hours(hours))


def ltifr(lti: Any, hours: Any) -> Decimal:
    """Lost-time injury frequency rate per 1,000,000 hours, rounded."""
    return rounded(count_of(lti, "lti") * MILLION / _hours(hours))


def osha(
    *,
    hours: Any,
    recordable: Any = None,
    dart_cases: Any = None,
    include_fatalities: bool = False,
    fatalities: Any = 0,
    lti: Any = None,
) -> dict[str, Any]:
    """TRC and/or DART per 200,000 hours (and LTIFR per 1,000,000 with `lti`): the keys
    present are those whose counts were given; at least one must be. With
    include_fatalities the fatalities are added to the recordable cases for TRC."""
    worked = _hours(hours)
    if recordable is None and dart_cases is None and lti is None:
        raise _needs(
            "counts_required",
            "recordable",
            "至少需要给出 recordable（可记录事件数）或 dart_cases（DART 事件数）",
            "Give recordable (recordable cases) or dart_cases (DART cases), or both",
        )
    n_fatal = count_of(fatalities, "fatalities")
    if include_fatalities and recordable is None:
        raise _needs(
            "counts_required",
            "recordable",
            "计入死亡时需要给出 recordable（可记录事件数）",
            "Counting fatalities in TRC needs recordable as well",
        )
    result: dict[str, Any] = {"hours": worked, "decimal_places": PLACES}
    if recordable is not None:
        cases = count_of(recordable, "recordable") + (n_fatal if include_fatalities else 0)
        result["TRC"] = trc(cases, worked)
        result["TRC_cases"] = cases
        result["TRC_includes_fatalities"] = bool(include_fatalities)
    if dart_cases is not None:
        result["DART"] = dart(dart_cases, worked)
    if lti is not None:
        result["LTIFR"] = ltifr(lti, worked)
    return result
