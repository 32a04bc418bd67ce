"""The shared incident fixtures of test_sharing (a fictitious incident full of NIR, SSN and names,
its sharer and staff), for the other intel test files that share incidents (the CLI)."""

from tests.apps.intel.test_sharing import incident, sharer, staff  # noqa: F401
