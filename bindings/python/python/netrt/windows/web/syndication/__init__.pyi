# Re-exports only: see the flat `netrt` stub for the types.

from netrt import (
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
)

__all__ = [
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
]
