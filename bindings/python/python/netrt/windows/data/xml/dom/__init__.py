"""Windows.Data.Xml.Dom, where PyWinRT puts it (``winrt.windows.data.xml.dom``): the part of
``XmlDocument`` and ``XmlElement`` the syndication classes use.

Each name is the same object as ``netrt.<name>``.
"""

from netrt import (
    XmlDocument as XmlDocument,
    XmlElement as XmlElement,
)

__all__ = [
    "XmlDocument",
    "XmlElement",
]
