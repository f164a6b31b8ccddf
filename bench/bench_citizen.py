"""A signed-in SYNTHETIC citizen for the dashboard row (`GET /mon-compte/`): a user with a
confirmed e-mail address and 2 verified PropertyLinks (owner, proven by the tax bill's access
code) to two properties of the town, one a third of the way into it and one two thirds, and a
session made by `django.test.Client.force_login`. In a Django child process (this file run as a
script), as synthetic_reports.py makes its own citizen; rebuilt on each run (the previous one,
its links and its access log deleted), so a run does not inherit a longer access log."""
import benchdb

EMAIL = "proprietaire-bench@example.org"


def build(log=print) -> dict:
    out = benchdb.run_django(__file__)
    log(f"  bench citizen {EMAIL}: verified links to properties {out['properties']}")
    return out


def _child(argv) -> dict:
    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from citizens.models import PropertyLink
    from core.models import AccessLog
    from properties.models import Property

    User = get_user_model()
    AccessLog.objects.filter(subject__email=EMAIL).delete()
    PropertyLink.objects.filter(user__email=EMAIL).delete()
    User.objects.filter(email=EMAIL).delete()
    user = User.objects.create_user(username="proprietaire-bench", email=EMAIL,
                                    password="x-Bench-Proprietaire-2026!",
                                    first_name="Proprio", last_name="Bench")
    EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=True)
    ids = list(Property.objects.order_by("id").values_list("id", flat=True))
    chosen = [ids[len(ids) // 3], ids[2 * len(ids) // 3]]
    for pk in chosen:
        PropertyLink.objects.create(user=user, property_id=pk, role=PropertyLink.Role.OWNER,
                                    status=PropertyLink.Status.VERIFIED,
                                    method=PropertyLink.Method.CODE, decided_at=timezone.now())
    client = Client()
    client.force_login(user)
    return {"user_id": user.pk, "properties": chosen,
            "session_cookie": settings.SESSION_COOKIE_NAME,
            "session": client.cookies[settings.SESSION_COOKIE_NAME].value}


if __name__ == "__main__":
    benchdb.child_main(_child)
