"""Sample requests for the demo town, so that its public map, its queue and Open311 show
something: GENERATED here (seeded, so the same every time), not real reports. Made through the
same service functions as real ones; loaded by `manage.py load_demo`, not by the tests."""
import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from properties.models import Property
from service_requests import services
from service_requests.models import Category, Event, ServiceRequest

SAMPLE_SIZE = 40
DESCRIPTIONS = {
    "nid-de-poule": "Trou dans la chaussée devant l'entrée (demande de démonstration).",
    "lampadaire": "Le lampadaire ne s'allume plus le soir (demande de démonstration).",
    "graffiti": "Graffiti sur un muret (demande de démonstration).",
    "arbre-tombe": "Une grosse branche est tombée sur le trottoir (demande de démonstration).",
    "collecte-manquee": "Le bac n'a pas été vidé (demande de démonstration).",
    "deneigement": "Le trottoir n'a pas été déneigé (demande de démonstration).",
    "panneau": "Un panneau d'arrêt est penché (demande de démonstration).",
    "bruit": "Musique forte tard le soir (demande de démonstration).",
}
# Where each sample goes after submission: (status, public note).
PATHS = [
    [], [], [],
    [("acknowledged", "Reçue, transmise à l'équipe.")],
    [("acknowledged", ""), ("planned", "Intervention prévue cette semaine.")],
    [("acknowledged", ""), ("in_progress", "L'équipe est sur place.")],
    [("acknowledged", ""), ("resolved", "Réparé. Merci de votre signalement.")],
    [("closed", "Vérification faite : aucun problème constaté.")],
]


def _answers(category, rng) -> dict:
    sample = {"single": lambda q: rng.choice(q.choices)["key"],
              "multiple": lambda q: [rng.choice(q.choices)["key"]],
              "date": lambda q: timezone.localdate().isoformat(),
              "number": lambda q: "1", "text": lambda q: "—"}
    return {q.code: sample[q.kind](q) for q in category.questions.filter(required=True)}


def _demo_clerk():
    """The samples' author: an account that cannot sign in (no password, inactive)."""
    from django.contrib.auth import get_user_model

    clerk, created = get_user_model().objects.get_or_create(
        username="demo-clerk", defaults={"first_name": "Commis", "last_name": "(démo)",
                                         "is_staff": True, "is_active": False})
    if created:
        clerk.set_unusable_password()
        clerk.save()
    return clerk


@transaction.atomic
def load_sample_requests(*, size: int = SAMPLE_SIZE, seed: int = 2026) -> str:
    if ServiceRequest.objects.exists():
        return "requests already present: no sample added"
    rng = random.Random(seed)
    categories = list(Category.objects.filter(active=True))
    homes = list(Property.objects.exclude(address_point=None).exclude(addresses=None)
                 .prefetch_related("addresses").order_by("pk"))
    now = timezone.now()
    clerk = _demo_clerk()
    for home in rng.sample(homes, min(size, len(homes))):
        category = rng.choice(categories)
        address = next(iter(home.addresses.all()))
        request = services.submit_request(
            category=category, point=home.address_point, address=address.label,
            description=DESCRIPTIONS.get(category.code, "Demande de démonstration."),
            answers=_answers(category, rng), channel=rng.choice(["web", "web", "phone",
                                                                   "counter"]),
            contact_name="Démonstration", clerk=clerk,
            public=True)  # the demo's callers agreed (a private category stays private)
        for status, note in rng.choice(PATHS):
            services.change_status(request=request, status=status, by=clerk, note=note)
        # Spread over the last 60 days, history included, so that some are overdue.
        age = dt.timedelta(days=rng.uniform(0, 60))
        ServiceRequest.objects.filter(pk=request.pk).update(submitted_at=now - age)
        Event.objects.filter(request=request).update(at=now - age)
    return f"{size} sample requests (generated)"
