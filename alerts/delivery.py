"""STUB, replaced by the delivery helper's module (issue 13 part 2, alerts/delivery.py).

`fan_out(alert_id, version)` is the one task alerts.services enqueues (on commit) when an alert
is sent, updated or cancelled; the real one writes a Delivery per subscriber reached and
channel, and sends them. This stub does nothing, so that the staff side runs on its own."""
from django_tasks import task


@task()
def fan_out(alert_id: int, version: int) -> None:
    """Replaced by the delivery helper's module: does nothing here."""
    return None
