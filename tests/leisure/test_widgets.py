"""The catalogue's filters write their options in Python (leisure.filters.QuickSelect,
QuickCheckboxes) for speed: the HTML must be what Django's own widgets write from their
templates, the reference here."""
import pytest
from django import forms

from leisure.filters import QuickCheckboxes, QuickSelect

CHOICES = [("", "tous"), ("1", "Parc <Bellevue> & fils"), ("2", 'L\'aréna "Olympia"'),
           ("Groupe", [("3", "Dans un groupe"), ("4", "Un autre")])]


@pytest.mark.parametrize(("quick", "reference"), [(QuickSelect, forms.Select),
                                                  (QuickCheckboxes, forms.CheckboxSelectMultiple)])
@pytest.mark.parametrize("value", [None, "2", ["1", "4"]])
def test_the_quick_widgets_write_what_djangos_write(quick, reference, value):
    if quick is QuickSelect and isinstance(value, list):
        value = value[0]
    attrs = {"id": "id_place", "class": "wide"}
    mine = quick(attrs=attrs, choices=CHOICES).render("place", value)
    django = reference(attrs=attrs, choices=CHOICES).render("place", value)
    assert mine == django
    assert "Parc &lt;Bellevue&gt; &amp; fils" in mine  # escaped
