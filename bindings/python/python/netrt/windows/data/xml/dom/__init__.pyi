# Re-exports only: see the flat `netrt` stub for the types.

from netrt import (
    XmlDocument as XmlDocument,
    XmlElement as XmlElement,
)

__all__ = [
    "XmlDocument",
    "XmlElement",
]
