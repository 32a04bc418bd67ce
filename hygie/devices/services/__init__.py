"""Use cases of the devices module, shared by pages, API, CLI and jobs: the inventory and its
aliases (``inventory``), inventory imports (``imports``), feed imports and matching (``feeds``),
device vulnerabilities with their risk and decisions (``vulnerabilities``), MDS2 forms
(``mds2``) and the figures of the dashboard, tiles and probes (``stats``)."""
