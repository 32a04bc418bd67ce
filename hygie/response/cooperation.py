"""What response offers other modules through the core registries (autodiscovered): its
incidents, read by a sharing module (intel) with the reader's rights, and notes added back to an
incident's timeline (decision 0040)."""

from hygie.core.incident_sources import IncidentSource, incident_sources
from hygie.response.services import sharing

incident_sources.register(
    "response",
    IncidentSource(read=sharing.read, note=sharing.note, requiring=sharing.requiring),
)
