"""The tax account: balances, statuses and interest worked out by hand, then the citizen's page
(owner only)."""
import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from citizens.models import PropertyLink
from core.models import AccessLog
from properties.models import Property
from taxes.accounts import DUE, OVERDUE, PAID, account
from taxes.models import TaxBill, TaxInstalment, TaxPayment
from taxes.selectors import tax_summary

D = Decimal
# Bill A: 3 000 $ at 10 % a year, three instalments of 1 000 $; paid 1 000 $ on Feb 20 and
# 400 $ on June 15.
INSTALMENTS = [(1, dt.date(2026, 3, 1), D("1000.00")), (2, dt.date(2026, 6, 1), D("1000.00")),
               (3, dt.date(2026, 9, 1), D("1000.00"))]
PAYMENTS = [(dt.date(2026, 2, 20), D("1000.00"), "R1"), (dt.date(2026, 6, 15), D("400.00"), "R2")]


def bill_a(on):
    return account(amount=D("3000.00"), instalments=INSTALMENTS, payments=PAYMENTS, rate=D("10"),
                   on=on)


def test_mid_year_one_instalment_partly_late():
    a = bill_a(dt.date(2026, 7, 1))
    assert a.paid == D("1400.00")  # 1000 + 400
    assert a.balance == D("1600.00")  # 3000 - 1400
    assert [s.status for s in a.instalments] == [PAID, OVERDUE, DUE]
    # 1400 applied in due-date order: 1000 to the 1st, 400 to the 2nd (600 left), 0 to the 3rd
    assert [s.remaining for s in a.instalments] == [D("0.00"), D("600.00"), D("1000.00")]
    assert a.instalments[1].days_late == 30  # June 1 -> July 1: 30 days
    assert a.overdue and a.overdue_amount == D("600.00")
    assert a.interest == D("4.93")  # 600 × 0.10 × 30 / 365 = 1800 / 365 = 4.9315… -> 4.93
    assert a.due_now == D("604.93")  # 600 + 4.93
    assert (a.next_instalment.number, a.next_instalment.due_on,
            a.next_instalment.remaining) == (3, dt.date(2026, 9, 1), D("1000.00"))


def test_due_today_is_not_late():
    a = bill_a(dt.date(2026, 6, 1))
    assert [s.status for s in a.instalments] == [PAID, DUE, DUE]
    assert not a.overdue and a.interest == D("0.00")
    assert a.balance == D("2000.00")  # 3000 - 1000 (the June 15 payment is not received yet)
    assert (a.next_instalment.due_on, a.next_instalment.remaining) == (dt.date(2026, 6, 1),
                                                                       D("1000.00"))


def test_later_payments_do_not_count_yet():
    a = bill_a(dt.date(2026, 6, 10))
    assert [p.reference for p in a.payments] == ["R1"]
    assert a.balance == D("2000.00")  # 3000 - 1000
    assert a.instalments[1].days_late == 9  # June 1 -> June 10
    assert a.interest == D("2.47")  # 1000 × 0.10 × 9 / 365 = 900 / 365 = 2.4657… -> 2.47


def test_end_of_year_two_instalments_late():
    a = bill_a(dt.date(2026, 11, 23))
    assert [s.status for s in a.instalments] == [PAID, OVERDUE, OVERDUE]
    # June 1 -> Nov 23: 30 (to July 1) + 31 + 31 + 30 + 31 (to Nov 1) + 22 = 175 days
    # Sept 1 -> Nov 23: 30 + 31 + 22 = 83 days
    assert [s.days_late for s in a.instalments] == [0, 175, 83]
    # 600 × 0.10 × 175 / 365 = 10500 / 365 = 28.767… -> 28.77
    # 1000 × 0.10 × 83 / 365 = 8300 / 365 = 22.739… -> 22.74
    assert [s.interest for s in a.instalments] == [D("0.00"), D("28.77"), D("22.74")]
    assert a.interest == D("51.51")  # 28.77 + 22.74
    assert a.overdue_amount == D("1600.00") and a.balance == D("1600.00")
    assert a.next_instalment is None


def test_interest_rounds_half_up_to_the_cent():
    a = account(amount=D("18.25"), instalments=[(1, dt.date(2026, 3, 1), D("18.25"))],
                payments=[], rate=D("10"), on=dt.date(2026, 3, 2))
    assert a.interest == D("0.01")  # 18.25 × 0.10 × 1 / 365 = 0.005 exactly -> 0.01 (half up)


def test_instalments_applied_in_due_date_order_whatever_their_order():
    a = account(amount=D("300.00"), rate=D("0"), on=dt.date(2026, 4, 1),
                instalments=[(2, dt.date(2026, 6, 1), D("150.00")),
                             (1, dt.date(2026, 3, 1), D("150.00"))],
                payments=[(dt.date(2026, 5, 1), D("150.00"), "late")])
    # the April 1 account does not see the May payment: the 1st is overdue, no interest at 0 %
    assert [(s.number, s.status) for s in a.instalments] == [(1, OVERDUE), (2, DUE)]
    assert a.interest == D("0.00") and a.overdue_amount == D("150.00")


def test_overpayment_is_a_credit_and_reversal_cancels():
    a = account(amount=D("100.00"), instalments=[(1, dt.date(2026, 3, 1), D("100.00"))],
                payments=[(dt.date(2026, 2, 1), D("150.00"), "P1")], rate=D("10"),
                on=dt.date(2026, 5, 1))
    assert a.balance == D("-50.00") and not a.overdue  # 100 - 150
    assert a.instalments[0].status == PAID
    b = account(amount=D("100.00"), instalments=[(1, dt.date(2026, 3, 1), D("100.00"))],
                payments=[(dt.date(2026, 2, 1), D("100.00"), "P1"),
                          (dt.date(2026, 2, 10), D("-100.00"), "P1-R")], rate=D("10"),
                on=dt.date(2026, 3, 11))
    assert b.paid == D("0.00") and b.balance == D("100.00")
    assert b.interest == D("0.27")  # 100 × 0.10 × 10 / 365 = 1000 / 365 = 0.2739… -> 0.27


# --- with the database -------------------------------------------------------------------------

@pytest.fixture
def prop(db):
    """A demo property with only bill A (the demo load gave it a generated 2026 bill)."""
    p = Property.objects.order_by("matricule").first()
    p.tax_bills.all().delete()
    bill = TaxBill.objects.create(property=p, year=2026, bill_number="A-1",
                                  issued_on=dt.date(2026, 2, 1), amount=D("3000.00"),
                                  interest_rate=D("10.00"))
    TaxInstalment.objects.bulk_create(TaxInstalment(bill=bill, number=n, due_on=due, amount=amt)
                                      for n, due, amt in INSTALMENTS)
    TaxPayment.objects.bulk_create(TaxPayment(bill=bill, paid_on=on, amount=amt, reference=ref)
                                   for on, amt, ref in PAYMENTS)
    return p


def test_tax_summary(prop):
    # as test_mid_year_one_instalment_partly_late: balance 1600, next: Sept 1, 1000, overdue
    assert tuple(tax_summary(prop, dt.date(2026, 7, 1))) == (
        D("1600.00"), dt.date(2026, 9, 1), D("1000.00"), True)
    # before any due date: 3000 - 0 received by Feb 1; next: March 1, 1000; nothing late
    assert tuple(tax_summary(prop, dt.date(2026, 2, 1))) == (
        D("3000.00"), dt.date(2026, 3, 1), D("1000.00"), False)


def test_tax_summary_without_bill(db):
    p = Property.objects.order_by("-matricule").first()
    p.tax_bills.all().delete()
    assert tuple(tax_summary(p, dt.date(2026, 7, 1))) == (D("0.00"), None, None, False)


@pytest.fixture
def owner(prop, django_user_model):
    user = django_user_model.objects.create_user(username="proprio", password="x")
    link = PropertyLink.objects.create(user=user, property=prop, role="owner",
                                       status="verified", method="code")
    return user, link


def test_owner_sees_the_account_and_the_view_is_logged(client, owner, prop):
    user, link = owner
    client.force_login(user)
    response = client.get(reverse("portal:tax_account", args=[link.id]))
    assert response.status_code == 200
    (a,) = response.context["accounts"]
    assert a.bill.bill_number == "A-1"
    assert a.balance == D("1600.00")  # 3000 - 1000 - 400, both received before today
    html = response.content.decode()
    assert html.count('data-status="paid"') == 1
    assert html.count("<caption>") == 3  # summary, instalments, payments
    assert 'scope="col"' in html and 'scope="row"' in html
    assert "R2" in html
    assert AccessLog.objects.filter(subject=user, actor=user, action="view",
                                    record=f"tax_account:{prop.pk}").count() == 1


def test_another_citizen_gets_404(client, owner, django_user_model):
    _, link = owner
    client.force_login(django_user_model.objects.create_user(username="voisin", password="x"))
    assert client.get(reverse("portal:tax_account", args=[link.id])).status_code == 404
    # Nothing was shown, so nothing logged (of this owner's record: the browser tests' site
    # threads commit their own rows).
    assert not AccessLog.objects.filter(record=f"tax_account:{link.property_id}").exists()


def test_a_pending_link_gets_404(client, owner):
    user, link = owner
    PropertyLink.objects.filter(pk=link.pk).update(status="pending")
    client.force_login(user)
    assert client.get(reverse("portal:tax_account", args=[link.id])).status_code == 404


def test_anonymous_is_sent_to_log_in(client, owner):
    _, link = owner
    url = reverse("portal:tax_account", args=[link.id])
    response = client.get(url)
    assert response.status_code == 302
    assert "next=" in response["Location"] and "/mon-compte/taxes/" in response["Location"]


@pytest.fixture
def occupant(prop, django_user_model):
    """A tenant: verified, as occupant, of the same property as `owner`."""
    user = django_user_model.objects.create_user(username="locataire", password="x")
    link = PropertyLink.objects.create(user=user, property=prop, role="occupant",
                                       status="verified", method="clerk")
    return user, link


def test_an_occupant_never_sees_the_owners_taxes(client, owner, occupant):
    """Issue 11: a tenant linked as occupant saw the owner's balance, instalments, payments and
    arrears. The tax page is a 404 for them (the owner's is too), the dashboard and /api/me/
    show their property without taxes, their export holds no balance; the owner still sees all."""
    user, link = occupant
    _, owner_link = owner
    client.force_login(user)
    for link_id in (link.id, owner_link.id):
        assert client.get(reverse("portal:tax_account", args=[link_id])).status_code == 404
    html = client.get(reverse("portal:dashboard")).content.decode()
    assert 'data-testid="card-taxes"' not in html and "1 600,00" not in html
    [card] = client.get("/api/me/").json()["cards"]
    assert card["role"] == "occupant" and card["taxes"] is None
    exported = client.get(reverse("portal:export")).json()
    assert exported["tax_balances"] == []
    assert not AccessLog.objects.filter(
        record__in=[f"tax_account:{link.property_id}", f"tax_account:{owner_link.property_id}"]
    ).exists()
    client.force_login(owner[0])
    html = client.get(reverse("portal:dashboard")).content.decode()
    assert 'data-testid="card-taxes"' in html
    [card] = client.get("/api/me/").json()["cards"]
    assert card["taxes"]["balance"] == "1600.00"
    assert client.get(reverse("portal:export")).json()["tax_balances"][0]["balance"] == "1600.00"


# Issue 11: "occupants see ... not the owner's taxes unless the owner grants it".

def _grant(client, owner_link, occupant_link, grant=True):
    return client.post(reverse("citizens:tax_access", args=[owner_link.pk]),
                       {"occupant": str(occupant_link.pk), "grant": "1" if grant else "0"})


def _sees(client, user, link):
    client.force_login(user)
    page = client.get(reverse("portal:tax_account", args=[link.id])).status_code
    [card] = client.get("/api/me/").json()["cards"]
    return page, card["taxes"] is not None


def test_the_owner_shows_the_tax_account_to_an_occupant_and_takes_it_back(client, owner,
                                                                          occupant):
    owner_user, owner_link = owner
    tenant, tenant_link = occupant
    tenant.email, tenant.first_name, tenant.last_name = "jeanne.t@example.org", "Jeanne", "T."
    tenant.save()
    assert _sees(client, tenant, tenant_link) == (404, False)
    client.force_login(owner_user)
    page = client.get(reverse("citizens:link_detail", args=[owner_link.pk])).content.decode()
    # The owner recognises the tenant without being handed their address.
    assert "Jeanne T." in page and "j…@example.org" in page and "jeanne.t@" not in page
    assert _grant(client, owner_link, tenant_link).status_code == 302
    assert _sees(client, tenant, tenant_link) == (200, True)
    client.force_login(owner_user)
    _grant(client, owner_link, tenant_link, grant=False)
    assert _sees(client, tenant, tenant_link) == (404, False)
    assert AccessLog.objects.filter(subject=tenant, actor=owner_user, action="change").count() == 2


def test_the_grant_ends_with_the_owners_link(client, owner, occupant):
    owner_user, owner_link = owner
    tenant, tenant_link = occupant
    client.force_login(owner_user)
    _grant(client, owner_link, tenant_link)
    assert _sees(client, tenant, tenant_link) == (200, True)
    client.force_login(owner_user)
    client.post(reverse("citizens:link_remove", args=[owner_link.pk]))
    assert _sees(client, tenant, tenant_link) == (404, False)


def test_only_the_owner_can_show_the_tax_account(client, owner, occupant, prop,
                                                 django_user_model):
    """Nobody else can grant it: the occupant to themself or to another occupant, another
    citizen (with the owner's link id: a 404), a second occupant of the same property."""
    owner_user, owner_link = owner
    tenant, tenant_link = occupant
    other = django_user_model.objects.create_user(username="colocataire", password="x")
    other_link = PropertyLink.objects.create(user=other, property=prop, role="occupant",
                                             status="verified", method="clerk")
    client.force_login(tenant)
    assert _grant(client, tenant_link, other_link).status_code == 302  # refused, with a message
    assert _grant(client, tenant_link, tenant_link).status_code == 302
    assert _grant(client, owner_link, tenant_link).status_code == 404  # not their link
    stranger = django_user_model.objects.create_user(username="voisin", password="x")
    client.force_login(stranger)
    assert _grant(client, owner_link, tenant_link).status_code == 404
    assert client.get(reverse("citizens:link_detail", args=[owner_link.pk])).status_code == 404
    assert PropertyLink.objects.filter(tax_access_from__isnull=False).count() == 0
    assert _sees(client, tenant, tenant_link) == (404, False)
    assert _sees(client, other, other_link) == (404, False)
    # A grant to one occupant is not a grant to the other.
    client.force_login(owner_user)
    _grant(client, owner_link, tenant_link)
    assert _sees(client, other, other_link) == (404, False)
    assert _sees(client, tenant, tenant_link) == (200, True)


def test_an_occupant_is_told_who_can_show_the_tax_account(client, occupant):
    tenant, tenant_link = occupant
    client.force_login(tenant)
    page = client.get(reverse("citizens:link_detail", args=[tenant_link.pk])).content.decode()
    assert 'data-testid="tax-hint"' in page
    assert reverse("portal:tax_account", args=[tenant_link.pk]) not in page
