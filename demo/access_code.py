"""The demo town's published access code, so that anyone trying the demo can link a property.
A real town never publishes codes: they are printed on each tax bill (issue_access_codes)."""
from citizens.services import issue_access_code
from properties.models import Property

DEMO_ACCESS_CODE = "PNCRT-DEM26"


def demo_property() -> Property:
    """The demo's property to link: the first (by matricule) with an address, a 2026 roll entry
    and a 2026 tax bill."""
    return (Property.objects.filter(addresses__isnull=False, roll_entries__roll_year=2026,
                                    tax_bills__year=2026)
            .distinct().order_by("matricule").first())


def set_demo_access_code() -> str:
    prop = demo_property()
    issue_access_code(property=prop, code=DEMO_ACCESS_CODE)
    address = prop.addresses.order_by("pk").first()
    return f"access code of {address} (matricule {prop.matricule}): {DEMO_ACCESS_CODE}"
