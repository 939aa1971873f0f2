"""The true figures of one agency over the years: drawn once per agency from the recipe's
ranges for its level, then moved by a gentle trend and noise, with the format's arithmetic
and the year-to-year continuity (normative documents, carried-over applications) kept."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from etl.registry.fields import APPLICANT_COLUMNS, T3_COLUMN_KEYS, T3_OUTCOME_ROWS, T4_GROUPS

ORG_WEIGHTS = {"commercial": 60, "research": 4, "social_welfare": 6, "legal_service": 20, "other_org": 10}


@dataclass
class YearFigures:
    year: int
    t2: dict[str, float | int]
    t3: dict[str, dict[str, int]]
    t4: dict[str, int]
    narrative: dict[str, int]
    review_prose: int
    litigation_prose: int


@dataclass
class AgencyState:
    base: dict[str, float]
    trend: float
    valid: int
    reg_valid: int
    review_p: float = 0.0
    litigation_p: float = 0.0
    issue_share: float = 0.1
    carried: dict[str, int] = field(default_factory=dict)


def draw(rng: random.Random, lo: float, med: float, hi: float) -> float:
    """A skewed draw: around the median, reaching the high end rarely."""
    if hi <= 0:
        return 0.0
    if med <= 0:
        return 0.0 if rng.random() < 0.6 else rng.uniform(max(lo, 1), hi)
    sigma = math.log(max(hi, med + 1) / med) / 2.0
    return min(hi, max(lo, med * math.exp(rng.gauss(0, sigma))))


def split(rng: random.Random, n: int, weights: dict[str, float]) -> dict[str, int]:
    """n split over the keys, proportional to weights with some noise; sums to n exactly."""
    keys = list(weights)
    if n <= 0:
        return dict.fromkeys(keys, 0)
    noisy = [weights[k] * rng.uniform(0.5, 1.5) for k in keys]
    total = sum(noisy)
    raw = [n * w / total for w in noisy]
    counts = [int(x) for x in raw]
    rest = n - sum(counts)
    order = sorted(range(len(keys)), key=lambda i: raw[i] - counts[i], reverse=True)
    for i in order[:rest]:
        counts[i] += 1
    return dict(zip(keys, counts))


def start(rng: random.Random, level: dict, dyn: dict, is_gov_big: bool) -> AgencyState:
    base = {
        k: draw(rng, *level[k])
        for k in ("info_published", "policy_interpretations", "licensing", "punishment", "fees_wan")
    }
    base["applications"] = draw(rng, *level["applications"]) if rng.random() < level["share_with_applications"] else 0
    trend = rng.uniform(*dyn["trend_per_year"])
    valid = round(draw(rng, *level["normative_valid"]))
    reg_valid = rng.randint(80, 400) if is_gov_big else 0
    return AgencyState(
        base,
        trend,
        valid,
        reg_valid,
        rng.uniform(*dyn["review_rate"]),
        rng.uniform(*dyn["litigation_rate"]),
        rng.uniform(*dyn["normative_issue_share"]),
    )


def year_figures(
    rng: random.Random,
    st: AgencyState,
    t: int,
    year: int,
    dyn: dict,
    outcomes: dict,
    is_gov_big: bool,
    has_fees: bool,
    responds: bool,
) -> YearFigures:
    def moved(x: float) -> int:
        if x <= 0:
            return 0
        return max(0, round(x * (1 + st.trend) ** t * math.exp(max(-0.5, min(0.5, rng.gauss(0, dyn["noise"]))))))

    # T2: normative documents continue from last year's valid count
    issued = (
        round(st.valid * st.issue_share * rng.uniform(0.8, 1.25)) if st.valid else (1 if rng.random() < 0.05 else 0)
    )
    if rng.random() < dyn["cleanup_year_probability"] and st.valid > 4:
        repealed = round(st.valid * rng.uniform(0.3, 0.6))
    else:
        repealed = round(issued * rng.uniform(0, 0.8))
    repealed = min(repealed, (st.valid + 2 * issued) // 2)  # keeps repealed <= valid + issued
    valid = st.valid + issued - repealed
    st.valid = valid
    reg_issued = rng.randint(*dyn["regulations_for_government"]) if is_gov_big else 0
    reg_repealed = min(rng.randint(0, 4), st.reg_valid) if is_gov_big else 0
    st.reg_valid = st.reg_valid + reg_issued - reg_repealed
    punishment = moved(st.base["punishment"])
    fees = round(st.base["fees_wan"] * (1 + st.trend) ** t * rng.uniform(0.9, 1.1), 2) if has_fees else 0
    t2 = {
        "regulations_issued": reg_issued,
        "regulations_repealed": reg_repealed,
        "regulations_valid": st.reg_valid,
        "normative_issued": issued,
        "normative_repealed": repealed,
        "normative_valid": valid,
        "licensing_decisions": moved(st.base["licensing"]),
        "punishment_decisions": punishment,
        "coercion_decisions": round(punishment * rng.uniform(0, 0.06)),
        "fees_wan": fees,
    }
    # T3: carried_over is last year's carried_forward; the columns and the outcomes add up
    new_total = moved(st.base["applications"])
    np_share = rng.uniform(*dyn["natural_person_share"])
    natural = round(new_total * np_share)
    new = {"natural_person": natural, **split(rng, new_total - natural, ORG_WEIGHTS)}
    carried_over = {c: st.carried.get(c, 0) for c in APPLICANT_COLUMNS}
    share = rng.uniform(*dyn["carry_forward_share"])
    forward = {c: round((new[c] + carried_over[c]) * share) for c in APPLICANT_COLUMNS}
    processed = {c: new[c] + carried_over[c] - forward[c] for c in APPLICANT_COLUMNS}
    rows: dict[str, dict[str, int]] = {r: {} for r in T3_OUTCOME_ROWS}
    for c in APPLICANT_COLUMNS:
        parts = split(rng, processed[c], outcomes)
        for r in T3_OUTCOME_ROWS:
            rows[r][c] = parts[r]
    rows.update(new_received=new, carried_over=carried_over, total_processed=processed, carried_forward=forward)
    st.carried = dict(forward)
    t3 = {r: {**cols, "total": sum(cols[c] for c in APPLICANT_COLUMNS)} for r, cols in rows.items()}
    t3 = {r: {c: t3[r][c] for c in T3_COLUMN_KEYS} for r in t3}
    # T4: reconsiderations and lawsuits are rare
    t4: dict[str, int] = {}
    # an agency's rates of reconsideration and litigation stay put; the counts vary with chance
    # (no binomial draw: small counts would swing more than fivefold by chance alone)
    review = round(new_total * st.review_p * rng.uniform(0.8, 1.25))
    lit = round(new_total * st.litigation_p * rng.uniform(0.8, 1.25))
    for g, n in zip(T4_GROUPS, (review, lit - lit // 3, lit // 3)):
        parts = split(rng, n, {"upheld": 60, "corrected": 12, "other": 10, "pending": 18})
        for s, v in parts.items():
            t4[f"{g}_{s}"] = v
        t4[f"{g}_total"] = n
    narrative = {
        "info_published_total": moved(st.base["info_published"]),
        "policy_interpretations": moved(st.base["policy_interpretations"]),
        "applications_received_text": new_total,
    }
    if responds:
        narrative["responses_to_concerns"] = moved(st.base["policy_interpretations"] * 2 + 5)
    return YearFigures(year, t2, t3, t4, narrative, review, lit)
