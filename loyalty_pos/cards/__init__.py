"""Card numbers, signed QR payloads and rendering of cards, receipts and reports (no database)."""
