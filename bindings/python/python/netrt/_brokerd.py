"""netrt-brokerd, carried by the netrt package: the per-user daemon that holds sockets apps hand
over (the socket broker) and runs their background transfers.

``python -m netrt._brokerd [--socket PATH] [--state-dir DIR]`` runs it in the foreground;
``python -m netrt._brokerd status`` queries a running one; the ``netrt-brokerd`` command the
package installs is the same program. netrt starts it this way on demand, so an app installed
with pip needs nothing else.
"""

import sys

from netrt._netrt import _run_brokerd


def main() -> int:
    """Runs netrt-brokerd with this process's arguments; returns its exit status."""
    return _run_brokerd(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
