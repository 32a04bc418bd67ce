"""The intel module's capabilities, granted to roles in ``IntelConfig.ready``."""

VIEW = "intel.view"  # indicators, sightings, feeds, partners, shares
MANAGE = "intel.manage"  # import/export, feeds, TAXII collections, partners and their credentials
SHARE = "intel.share"  # prepare and approve the sharing of an incident with a partner
