"""Words for the places of the requests made before 0005 by a map click (no address given):
the same description a new one gets (properties.place_names), in French in `address`."""
from django.db import migrations


def describe_earlier(apps, schema_editor):
    from properties.place_names import describe, label

    ServiceRequest = apps.get_model("service_requests", "ServiceRequest")
    for request in ServiceRequest.objects.filter(address="", place={}).only("pk", "location"):
        place = describe(request.location)
        if place:
            ServiceRequest.objects.filter(pk=request.pk).update(
                place=place, address=label(place, "fr")[:300])


class Migration(migrations.Migration):
    dependencies = [("service_requests", "0005_place_in_words"),
                    ("properties", "__latest__"), ("geo", "__latest__")]

    operations = [migrations.RunPython(describe_earlier, migrations.RunPython.noop)]
