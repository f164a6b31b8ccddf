import pytest

from geo.addresses import normalize, split_civic


@pytest.mark.parametrize(("a", "b"), [
    ("12 rue St-Jean", "12, Rue Saint-Jean"),
    ("92 boul. Cardinal-Léger", "92 BOULEVARD CARDINAL LEGER"),
    ("5 av. de l'Île", "5 Avenue de l’Ile"),
    ("3 ch. Ste-Marie", "3 chemin Sainte Marie"),
])
def test_equivalent_spellings_normalize_alike(a, b):
    assert normalize(a) == normalize(b)


def test_different_streets_stay_different():
    assert normalize("12 rue Saint-Jean") != normalize("12 rue Saint-Jacques")


@pytest.mark.parametrize(("query", "number", "street"), [
    ("12, rue St-Jean", "12", "rue saint jean"),
    ("12A boul. de l'Île", "12", "boulevard de l ile"),
    ("1re Avenue", None, "1re avenue"),  # a street name that starts with a digit
    ("15 1re Avenue", "15", "1re avenue"),
    ("Cardinal-Léger", None, "cardinal leger"),
    ("100-92 boul. Cardinal-Léger", "92", "boulevard cardinal leger"),  # unit 100 of no. 92
    ("12 5e Avenue", "12", "5e avenue"),  # not a unit: the street starts with a digit
])
def test_split_civic(query, number, street):
    assert split_civic(query) == (number, street)
