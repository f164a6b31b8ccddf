"""The citizens' fixtures (signed-up citizens, the live SMTP sink) for the request tests."""
from tests.citizens.conftest import make_citizen, smtp_sink  # noqa: F401 (fixtures)
