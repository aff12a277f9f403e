"""Windows.Web.AtomPub, where PyWinRT puts it (``winrt.windows.web.atompub``): ``AtomPubClient``
and the service document classes.

Each name is the same object as ``netrt.<name>``; the flat ``netrt`` namespace stays the
primary one.
"""

from netrt import (
    AtomPubClient as AtomPubClient,
    ResourceCollection as ResourceCollection,
    ServiceDocument as ServiceDocument,
    Workspace as Workspace,
)

__all__ = [
    "AtomPubClient",
    "ResourceCollection",
    "ServiceDocument",
    "Workspace",
]
