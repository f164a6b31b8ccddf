"""Law 25: what a citizen can do with their own data — see who accessed it, take it all with
them (JSON), and delete their account. Deleting removes the person (account, e-mails,
household) and keeps the city's records (property links, access log) without their identity:
the foreign keys to the user are SET_NULL by design."""
import datetime as dt

from django.db import transaction

from .models import AccessLog, PropertyLink
from .taxes import tax_summary


def _json_value(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value) if value is not None else None


def export_personal_data(user) -> dict:
    links = (PropertyLink.objects.filter(user=user).select_related("property")
             .prefetch_related("property__addresses"))
    today = dt.date.today()
    emails = []
    if hasattr(user, "emailaddress_set"):  # django-allauth's addresses
        emails = [{"email": e.email, "verified": e.verified, "primary": e.primary}
                  for e in user.emailaddress_set.all()]
    return {
        "exported_at": dt.datetime.now(dt.UTC).isoformat(),
        "account": {"email": user.email, "date_joined": user.date_joined.isoformat(),
                    "last_login": _json_value(user.last_login), "emails": emails},
        "household": [{"id": str(m.pk), "first_name": m.first_name, "last_name": m.last_name,
                       "birth_year": m.birth_year} for m in user.household.all()],
        "property_links": [{
            "id": str(link.pk), "matricule": link.property.matricule,
            "address": next((a.label for a in link.property.addresses.all()), ""),
            "role": link.role, "status": link.status, "proof": link.method,
            "requested_at": link.requested_at.isoformat(),
            "decided_at": _json_value(link.decided_at), "reason": link.reason,
            "tax_balance": (_json_value(tax_summary(link.property, today).balance)
                            if link.status == PropertyLink.Status.VERIFIED else None),
        } for link in links],
        "access_log": [{"at": e.at.isoformat(), "by_staff": e.actor_is_staff,
                        "by_me": e.actor_id == user.pk, "action": e.action, "record": e.record}
                       for e in AccessLog.objects.filter(subject=user)],
    }


@transaction.atomic
def delete_account(*, user) -> None:
    """Remove the person, keep the city's records without their identity."""
    PropertyLink.objects.filter(user=user).update(status=PropertyLink.Status.UNLINKED)
    AccessLog.objects.create(actor=None, subject=None, action=AccessLog.Action.DELETE,
                             record="account")
    user.delete()  # household cascades; links, attempts and the log keep rows, user set NULL
