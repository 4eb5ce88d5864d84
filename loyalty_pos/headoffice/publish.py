"""Publishing to every till: promotions, tiers, program settings, agreement versions.

Each function validates with the rules the tills apply (core: PromotionRule, TierRule /
validate_tiers, ProgramRules), stores the head-office copy and appends `ho_changes` rows
(origin: head office), all in the caller's transaction; tills get them on their next pull.
Nothing is stored when anything is invalid (InvalidInput says what).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..core.errors import Conflict, InvalidInput
from ..core.program import ProgramRules
from ..core.promotions import Effect, PromotionRule, rule_as_dict
from ..core.tiers import TierRule, validate_tiers
from .changelog import agreement_key, append_change, lock_change_log
from .models import (
    CHANGE_AGREEMENT,
    CHANGE_PROMOTION,
    CHANGE_SETTING,
    CHANGE_TIER,
    HOAgreement,
    HOPromotion,
    HOSetting,
    HOTier,
)

PROMOTION_FIELDS = ("code", "name", "effect", "value", "priority", "exclusive", "enabled",
                    "starts_on", "ends_on", "weekdays", "start_time", "end_time", "tiers",
                    "skus", "categories", "min_basket", "birthday_month", "first_purchase")
AGREEMENT_KINDS = ("member_agreement", "privacy")
SETTING_NAMES = tuple(f.name for f in dataclasses.fields(ProgramRules))


def _list(value: Any, name: str) -> list[Any]:
    if not isinstance(value, list):
        raise InvalidInput(f"{name} must be a JSON list")
    return value


def _whole(value: Any, name: str, default: int | None = None) -> int:
    if value is None and default is not None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{name} must be a whole number")
    return value


def _flag(value: Any, name: str, default: bool) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise InvalidInput(f"{name} must be true or false")
    return value


def _parsed(parse: Any, value: Any, name: str) -> Any:
    if value in (None, ""):
        return None
    try:
        return parse(value)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{name}: {value!r} is not valid ({exc})") from exc


def _texts(value: Any, name: str) -> list[str]:
    items = _list(value if value is not None else [], name)
    if not all(isinstance(item, str) for item in items):
        raise InvalidInput(f"{name} must be a list of texts")
    return items


def promotion_json(value: Any) -> dict[str, Any]:
    """One promotion checked with the till's rules, as the till's fields (JSON values)."""
    if not isinstance(value, dict):
        raise InvalidInput("each promotion must be a JSON object")
    unknown = set(value) - set(PROMOTION_FIELDS)
    if unknown:
        raise InvalidInput(f"unknown promotion field(s): {sorted(unknown)}")
    code = value.get("code")
    where = f"promotion {code!r}"
    if not isinstance(code, str) or not code or len(code) > 32:
        raise InvalidInput("each promotion needs a code of 1 to 32 characters")
    if not isinstance(value.get("name"), str) or len(value["name"]) > 120:
        raise InvalidInput(f"{where}: name must be a text of at most 120 characters")
    weekdays = _list(value.get("weekdays") or [], f"{where}: weekdays")
    rule = PromotionRule(
        code=code, name=value["name"],
        effect=Effect(value["effect"]) if value.get("effect") in set(Effect) else
        value.get("effect"),  # PromotionRule refuses an unknown effect, naming it
        value=_whole(value.get("value"), f"{where}: value"),
        priority=_whole(value.get("priority"), f"{where}: priority", 0),
        exclusive=_flag(value.get("exclusive"), f"{where}: exclusive", False),
        enabled=_flag(value.get("enabled"), f"{where}: enabled", True),
        starts_on=_parsed(date.fromisoformat, value.get("starts_on"), f"{where}: starts_on"),
        ends_on=_parsed(date.fromisoformat, value.get("ends_on"), f"{where}: ends_on"),
        weekdays=frozenset(_whole(day, f"{where}: weekdays") for day in weekdays),
        start_time=_parsed(time.fromisoformat, value.get("start_time"), f"{where}: start_time"),
        end_time=_parsed(time.fromisoformat, value.get("end_time"), f"{where}: end_time"),
        tiers=frozenset(_texts(value.get("tiers"), f"{where}: tiers")),
        skus=frozenset(_texts(value.get("skus"), f"{where}: skus")),
        categories=frozenset(_texts(value.get("categories"), f"{where}: categories")),
        min_basket=_whole(value.get("min_basket"), f"{where}: min_basket", 0),
        birthday_month=_flag(value.get("birthday_month"), f"{where}: birthday_month", False),
        first_purchase=_flag(value.get("first_purchase"), f"{where}: first_purchase", False))
    return rule_as_dict(rule)


def publish_promotions(session: Session, values: Any, now: datetime) -> list[str]:
    """Store the promotions (a JSON list; a code already published is replaced, `enabled:
    false` retires one). Returns their codes."""
    promotions = [promotion_json(value) for value in _list(values, "the promotions file")]
    codes = [p["code"] for p in promotions]
    if len(set(codes)) != len(codes):
        raise InvalidInput("two promotions have the same code")
    lock_change_log(session)
    for promotion in promotions:
        row = session.get(HOPromotion, promotion["code"])
        data = json.dumps(promotion, sort_keys=True)
        if row is None:
            session.add(HOPromotion(code=promotion["code"], data=data, updated_at=now))
        else:
            row.data, row.updated_at = data, now
        append_change(session, CHANGE_PROMOTION, promotion["code"], None, now)
    session.flush()
    return codes


def publish_tiers(session: Session, values: Any, now: datetime) -> list[str]:
    """Replace the chain's tiers by the given set (a JSON list of {code, name, threshold,
    multiplier_percent}; the lowest must start at 0). Returns the codes by threshold."""
    tiers = []
    for value in _list(values, "the tiers file"):
        if not isinstance(value, dict) or set(value) - {"code", "name", "threshold",
                                                        "multiplier_percent"}:
            raise InvalidInput("each tier is {code, name, threshold, multiplier_percent}")
        code, name = value.get("code"), value.get("name")
        if not (isinstance(code, str) and 0 < len(code) <= 16 and isinstance(name, str)
                and 0 < len(name) <= 40):
            raise InvalidInput("a tier needs a code (1-16 characters) and a name (1-40)")
        tiers.append(TierRule(code, name, _whole(value.get("threshold"), f"tier {code}: "
                                                 "threshold"),
                              _whole(value.get("multiplier_percent"),
                                     f"tier {code}: multiplier_percent")))
    ordered = validate_tiers(tiers)
    lock_change_log(session)
    session.execute(delete(HOTier))
    for tier in ordered:
        session.add(HOTier(code=tier.code, name=tier.name, threshold=tier.threshold,
                           multiplier_percent=tier.multiplier_percent, updated_at=now))
        append_change(session, CHANGE_TIER, tier.code, None, now)
    session.flush()
    return [tier.code for tier in ordered]


def publish_settings(session: Session, values: Any, now: datetime) -> dict[str, Any]:
    """Store program settings ({name: value}, names of core/program.ProgramRules). The values
    are checked together with the settings already published."""
    if not isinstance(values, dict) or not values:
        raise InvalidInput("the settings file must be a JSON object {name: value}")
    unknown = set(values) - set(SETTING_NAMES)
    if unknown:
        raise InvalidInput(f"unknown program setting(s): {sorted(unknown)} (known: "
                           f"{', '.join(SETTING_NAMES)})")
    held = {row.key: json.loads(row.value) for row in session.scalars(select(HOSetting))}
    merged = {name: value for name, value in (held | values).items() if name in SETTING_NAMES}
    try:
        ProgramRules(**merged)
    except TypeError as exc:
        raise InvalidInput(f"the program settings are not valid ({exc})") from exc
    lock_change_log(session)
    for name, value in values.items():
        row = session.get(HOSetting, name)
        if row is None:
            session.add(HOSetting(key=name, value=json.dumps(value), updated_at=now))
        else:
            row.value, row.updated_at = json.dumps(value), now
        append_change(session, CHANGE_SETTING, name, None, now)
    session.flush()
    return values


def publish_agreement(session: Session, kind: str, version: str, text: str, now: datetime
                      ) -> str:
    """Publish a new version of the member agreement or privacy statement; returns its sha256.
    A published version is never changed (members accepted exactly that text)."""
    if kind not in AGREEMENT_KINDS:
        raise InvalidInput(f"the agreement kind must be one of {', '.join(AGREEMENT_KINDS)}")
    if not version or len(version) > 24:
        raise InvalidInput("the version must be 1 to 24 characters")
    if not text.strip():
        raise InvalidInput("the agreement text is empty")
    digest = hashlib.sha256(text.encode()).hexdigest()
    held = session.get(HOAgreement, (kind, version))
    if held is not None:
        if held.sha256 == digest:
            return digest  # published already: nothing to do
        raise Conflict(f"{kind} version {version} is published with another text; publish "
                       "the new text as a new version")
    lock_change_log(session)
    session.add(HOAgreement(kind=kind, version=version, text=text, sha256=digest,
                            published_at=now))
    append_change(session, CHANGE_AGREEMENT, agreement_key(kind, version), None, now)
    session.flush()
    return digest
