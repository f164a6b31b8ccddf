"""Law 25: deleting a citizen's account. Every app erases its part (core.personal_data: the
contact details on their requests, their property links...), the deletion is logged without
their identity, then the account goes (the household cascades; the city's records keep their
rows, the user set NULL by design)."""
from django.db import transaction

from core.models import AccessLog
from core.personal_data import erase


@transaction.atomic
def delete_account(*, user) -> None:
    erase(user)
    AccessLog.objects.create(actor=None, subject=None, action=AccessLog.Action.DELETE,
                             record="account")
    user.delete()
