"""Windows.Web.Syndication, where PyWinRT puts it (``winrt.windows.web.syndication``): the
names netrt implements so far (the enums and ``SyndicationError``; the feed classes are in the
Rust core and not yet projected).

Each name is the same object as ``netrt.<name>``; the flat ``netrt`` namespace stays the
primary one.
"""

from netrt import (
    SyndicationError as SyndicationError,
    SyndicationErrorStatus as SyndicationErrorStatus,
    SyndicationFormat as SyndicationFormat,
    SyndicationTextType as SyndicationTextType,
)

__all__ = [
    "SyndicationError",
    "SyndicationErrorStatus",
    "SyndicationFormat",
    "SyndicationTextType",
]
