"""One function or method per user operation. Each opens its own transaction, returns plain data,
and raises a typed `LoyaltyError` with nothing written when it cannot do what was asked."""
