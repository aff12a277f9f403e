"""netrt-brokerd, carried by the netrt package (``python -m netrt._brokerd``)."""

def main() -> int:
    """Runs netrt-brokerd with this process's arguments; returns its exit status."""
