"""The admin speaks French on its French pages (issue 14, point 4): every filter of every
model's list is titled by a translated name ("Par type de collecte", never "Par stream", the
field's own name in English), and every model has translated names."""
import pytest
from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.utils.functional import Promise


def _filters():
    for model, model_admin in admin.site._registry.items():
        for spec in model_admin.list_filter:
            if isinstance(spec, str):
                yield model, spec


def test_every_list_filter_is_named_in_french():
    untranslated = []
    for model, path in _filters():
        field = get_fields_from_path(model, path)[-1]
        name = field.verbose_name  # a field's own name in English unless one is given
        if not isinstance(name, Promise):
            untranslated.append(f"{model._meta.label}.{path}: {name}")
    assert untranslated == []


def test_every_admin_model_is_named_in_french():
    untranslated = []
    for model in admin.site._registry:
        for name in (model._meta.verbose_name, model._meta.verbose_name_plural):
            if not isinstance(name, Promise):
                untranslated.append(f"{model._meta.label}: {name}")
    assert untranslated == []


@pytest.mark.django_db
def test_the_zones_list_filters_in_french(admin_client):
    import re

    page = admin_client.get("/admin/collections_schedule/zone/").content.decode()
    text = re.sub(r"<script.*?</script>|<[^>]+>", " ", page, flags=re.S)
    assert "Par type de collecte" in text
    assert "stream" not in text.lower()
