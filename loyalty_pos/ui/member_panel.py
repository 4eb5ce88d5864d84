"""The member panel of the sale screen: who is attached and what they have."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from ..services.views import MemberDetails, MemberSummary
from .widgets import money


class MemberPanel(QFrame):
    def __init__(self, parent: QWidget, symbol: str) -> None:
        super().__init__(parent)
        self.setObjectName("memberPanel")
        self.symbol = symbol
        layout = QVBoxLayout(self)
        self.title = QLabel(self)
        self.title.setObjectName("memberName")
        self.warning = QLabel(self)
        self.warning.setObjectName("cardWarning")
        self.warning.setWordWrap(True)
        layout.addWidget(self.title)
        layout.addWidget(self.warning)
        grid = QGridLayout()
        self.values: dict[str, QLabel] = {}
        labels = {"tier": self.tr("Tier"), "points": self.tr("Points"),
                  "stored": self.tr("Stored value"), "expiry": self.tr("Soonest expiry"),
                  "consent": self.tr("Consent"), "card": self.tr("Card")}
        for row, (key, text) in enumerate(labels.items()):
            grid.addWidget(QLabel(text, self), row, 0)
            value = QLabel(self)
            value.setObjectName(f"member_{key}")
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(value, row, 1)
            self.values[key] = value
        layout.addLayout(grid)
        self.why_tier = QLabel(self)
        self.why_tier.setObjectName("whyTier")
        self.why_tier.setWordWrap(True)
        layout.addWidget(self.why_tier)
        layout.addStretch(1)
        self.show_none()

    def show_none(self) -> None:
        self.title.setText(self.tr("No member"))
        self.warning.hide()
        for value in self.values.values():
            value.setText("—")
        self.why_tier.setText(self.tr("Scan a member card or press F2 to find a member."))

    def show_member(self, summary: MemberSummary, details: MemberDetails | None) -> None:
        self.title.setText(summary.name)
        self.values["tier"].setText(details.tier_name if details else summary.tier_code)
        self.values["points"].setText(f"{summary.points_balance:,}")
        self.values["stored"].setText(money(summary.stored_value_balance, self.symbol))
        self.values["expiry"].setText(
            self.tr("{points} on {date}").format(points=summary.soonest_expiry_points,
                                                 date=summary.soonest_expiry.isoformat())
            if summary.soonest_expiry else "—")
        self.values["card"].setText(summary.card_number or "—")
        self._warn(summary)
        if details is None:  # the details follow a moment later (see SaleScreen.attach_member)
            self.values["consent"].setText("…")
            self.why_tier.setText("")
            return
        consents = details.consents
        agreed = (consents.get("member_agreement", "").startswith("accepted")
                  and consents.get("privacy", "").startswith("accepted"))
        marketing = consents.get("marketing") == "opted in"
        self.values["consent"].setText(
            (self.tr("agreed") if agreed else self.tr("MISSING")) + " · "
            + (self.tr("marketing yes") if marketing else self.tr("marketing no")))
        self.why_tier.setText(self.tr("Why this tier: {reason}").format(
            reason=details.tier_reason))

    def _warn(self, summary: MemberSummary) -> None:
        if summary.card_blocked:
            self.warning.setText(self.tr("Card {card} is BLOCKED (reported lost). Do not accept "
                                         "it; the member can get a new card from a manager.")
                                 .format(card=summary.card_number))
        elif summary.status != "active":
            status = {"suspended": self.tr("suspended")}.get(summary.status, summary.status)
            self.warning.setText(self.tr("Membership is {status}: no points or stored value.")
                                 .format(status=status))
        elif summary.points_balance < 0:
            self.warning.setText(self.tr("Points balance is negative after a refund; new points "
                                         "settle it first."))
        else:
            self.warning.hide()
            return
        self.warning.show()
