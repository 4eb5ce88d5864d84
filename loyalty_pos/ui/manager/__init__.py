"""Store manager screens: members, cards, promotions, tiers, staff, audit, reports, help."""
