"""Windows.Web.Syndication, where PyWinRT puts it (``winrt.windows.web.syndication``): the feed
object model, ``SyndicationClient``, ``SyndicationError`` and the enums.

Each name is the same object as ``netrt.<name>``; the flat ``netrt`` namespace stays the
primary one.
"""

from netrt import (
    RetrievalProgress as RetrievalProgress,
    ISyndicationNode as ISyndicationNode,
    SyndicationAttribute as SyndicationAttribute,
    SyndicationCategory as SyndicationCategory,
    SyndicationClient as SyndicationClient,
    SyndicationContent as SyndicationContent,
    SyndicationError as SyndicationError,
    SyndicationErrorStatus as SyndicationErrorStatus,
    SyndicationFeed as SyndicationFeed,
    SyndicationFormat as SyndicationFormat,
    SyndicationGenerator as SyndicationGenerator,
    SyndicationItem as SyndicationItem,
    SyndicationLink as SyndicationLink,
    SyndicationNode as SyndicationNode,
    SyndicationPerson as SyndicationPerson,
    SyndicationText as SyndicationText,
    SyndicationTextType as SyndicationTextType,
    TransferProgress as TransferProgress,
)

__all__ = [
    "RetrievalProgress",
    "ISyndicationNode",
    "SyndicationAttribute",
    "SyndicationCategory",
    "SyndicationClient",
    "SyndicationContent",
    "SyndicationError",
    "SyndicationErrorStatus",
    "SyndicationFeed",
    "SyndicationFormat",
    "SyndicationGenerator",
    "SyndicationItem",
    "SyndicationLink",
    "SyndicationNode",
    "SyndicationPerson",
    "SyndicationText",
    "SyndicationTextType",
    "TransferProgress",
]
