"""Connected medical devices: clinical inventory, passive discovery, vulnerability intelligence
(CSAF, NVD, KEV, EPSS, SBOM/VEX), clinical risk scoring and segmentation.

The pure matching, parsing and scoring engines live in ``hygie.devices.engine`` (no Django, no
I/O); ``hygie devices match`` and ``hygie devices discover`` run them without a database.
"""
