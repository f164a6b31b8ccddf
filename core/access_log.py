"""Record every view or change of personal data (Quebec Law 25): who, whose, what, when."""
from .models import AccessLog


def log_access(request, *, subject, action: str, record: str) -> None:
    """`subject`: the citizen whose data it is; `record`: "kind:id" of what was seen or
    changed; `action`: one of AccessLog.Action."""
    actor = request.user if request.user.is_authenticated else None
    AccessLog.objects.create(actor=actor, actor_is_staff=bool(actor and actor.is_staff),
                             subject=subject, action=action, record=record,
                             path=request.get_full_path()[:300])


def export_access_log(user) -> list[dict]:
    """The log of a citizen's data, for their export (Law 25). Kept on deletion: its rows stay,
    their subject set NULL with the account."""
    return [{"at": e.at.isoformat(), "by_staff": e.actor_is_staff,
             "by_me": e.actor_id == user.pk, "action": e.action, "record": e.record}
            for e in AccessLog.objects.filter(subject=user)]
