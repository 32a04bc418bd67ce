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

# Who changed a partner, its credentials or rights, a feed, a collection or a share lands in the
# hash-chained audit trail. Indicators, their sources and sightings arrive by the thousand from
# feeds: imports are audited once per import by the services, not row by row.
AUDITED_MODELS: list[type] = [
    Partner,
    PartnerCredential,
    Feed,
    TaxiiCollection,
    TaxiiAccess,
    IncidentShare,
]
