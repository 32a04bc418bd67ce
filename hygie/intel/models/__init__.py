"""The intel module's models (one sub-module per area; see AUDITED_MODELS)."""

from hygie.intel.models.feeds import Feed
from hygie.intel.models.indicators import Indicator, IndicatorSource, Sighting
from hygie.intel.models.partners import Partner, PartnerCredential
from hygie.intel.models.sharing import IncidentShare
from hygie.intel.models.taxii import TaxiiAccess, TaxiiCollection, TaxiiObject, TaxiiStatus

__all__ = [
    "AUDITED_MODELS",
    "Feed",
    "IncidentShare",
    "Indicator",
    "IndicatorSource",
    "Partner",
    "PartnerCredential",
    "Sighting",
    "TaxiiAccess",
    "TaxiiCollection",
    "TaxiiObject",
    "TaxiiStatus",
]

# Who changed a partner, its credentials or rights, a feed, a collection, a share or an indicator
# by hand (revoked, re-marked) lands in the hash-chained audit trail. Imports write indicators and
# their sources in bulk (no per-row signal): each import is audited once by the service;
# sightings and counters are written with bulk updates for the same reason.
AUDITED_MODELS: list[type] = [
    Indicator,
    Partner,
    PartnerCredential,
    Feed,
    TaxiiCollection,
    TaxiiAccess,
    IncidentShare,
]
