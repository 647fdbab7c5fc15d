"""Demo data for the checkins app (DEBUG only; idempotent)."""


def load_demo() -> str:
    """Create the demo records; returns a one-line summary for load_demo_data."""
    return ""
