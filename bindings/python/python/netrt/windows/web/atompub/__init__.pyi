# Re-exports only: see the flat `netrt` stub for the types.

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
