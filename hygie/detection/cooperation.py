"""What detection offers other modules through the core registries (autodiscovered): its
stored events, read back by the intel module's retro-hunt."""

from hygie.core.registries import event_history
from hygie.detection.history import HISTORY

event_history.register("detection", HISTORY)
