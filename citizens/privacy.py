"""Law 25: what a citizen can do with their own data — see who accessed it, take it all with
them (JSON), and delete their account. Deleting removes the person (account, e-mails,
household, the contact details on their requests) and keeps the city's records (requests,
property links, access log) without their identity:
the foreign keys to the user are SET_NULL by design."""
import datetime as dt

from django.db import transaction

from core.models import AccessLog
from taxes.selectors import tax_summary

from .models import PropertyLink


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
        "requests": _requests(user),
        "access_log": [{"at": e.at.isoformat(), "by_staff": e.actor_is_staff,
                        "by_me": e.actor_id == user.pk, "action": e.action, "record": e.record}
                       for e in AccessLog.objects.filter(subject=user)],
    }


def _requests(user) -> list[dict]:
    from service_requests.models import ServiceRequest

    mine = (ServiceRequest.objects.filter(reporter=user).select_related("category")
            .prefetch_related("events").order_by("pk"))
    return [{
        "number": r.pk, "category": r.category.code, "status": r.status, "channel": r.channel,
        "address": r.address, "description": r.description, "answers": r.answers,
        "contact": {"name": r.contact_name, "email": r.contact_email, "phone": r.contact_phone},
        "submitted_at": r.submitted_at.isoformat(), "expected_on": _json_value(r.expected_on),
        "history": [{"at": e.at.isoformat(), "status": e.to_status, "note": e.note}
                    for e in r.events.all() if e.public],
    } for r in mine] + [
        {"number": f.request_id, "followed_since": f.since.isoformat()}
        for f in user.followed_requests.all()]


@transaction.atomic
def delete_account(*, user) -> None:
    """Remove the person, keep the city's records without their identity."""
    from service_requests.models import ServiceRequest

    ServiceRequest.objects.filter(reporter=user).update(
        contact_name="", contact_email="", contact_phone="", submitter_ip=None)
    PropertyLink.objects.filter(user=user).update(status=PropertyLink.Status.UNLINKED)
    AccessLog.objects.create(actor=None, subject=None, action=AccessLog.Action.DELETE,
                             record="account")
    user.delete()  # household cascades; links, attempts and the log keep rows, user set NULL
