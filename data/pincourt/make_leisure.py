"""Write leisure-winter-2027-generated.csv: a GENERATED winter season for the demo town, in the
leisure CSV layout (docs/leisure-csv-layout.md), at real places of Pincourt's OpenStreetMap
extract: the outdoor rink in Parc Shamrock (an unnamed ice rink in OSM: named by its reference),
the parks, and the two schools' gymnasiums. The extract holds no pool, library or community
centre inside the territory (those it has belong to Terrasse-Vaudreuil, outside it), so the demo
has no swimming lessons nor library workshops. Activities, hours, fees and instructors are
invented, after what Quebec towns usually offer in winter; not Pincourt's programme.

Deterministic (no randomness): run it again after changing it.

    .venv/bin/python data/pincourt/make_leisure.py
"""
import csv
from pathlib import Path

OUT = Path(__file__).with_name("leisure-winter-2027-generated.csv")

SEASON = {
    "saison": "H2027", "saison_fr": "Hiver 2027", "saison_en": "Winter 2027",
    "saison_debut": "2027-01-11", "saison_fin": "2027-03-28",
    "inscription_residents": "2026-12-08 19:00", "inscription_tous": "2026-12-10 19:00",
    "inscription_fin": "2027-01-15 23:59",
}
CATEGORIES = {
    "glace": ("Sports de glace", "Ice sports"),
    "sports": ("Sports et mise en forme", "Sports and fitness"),
    "plein-air": ("Plein air", "Outdoors"),
    "camps": ("Camps de jour", "Day camps"),
}
ACTIVITIES = {
    "PATIN-1": ("glace", "Patin — niveau 1", "Skating — level 1",
                "Premiers coups de patin : équilibre, glisser, se relever. Casque obligatoire.",
                "First strides: balance, gliding, getting up. Helmet required."),
    "PATIN-2": ("glace", "Patin — niveau 2", "Skating — level 2",
                "Virages, arrêts et patin arrière. Casque obligatoire.",
                "Turns, stops and skating backwards. Helmet required."),
    "HOCKEY-PN": ("glace", "Hockey — pré-novice", "Hockey — pre-novice",
                  "Initiation au hockey : patin, bâton, rondelle et jeu d'équipe. Équipement "
                  "complet obligatoire.",
                  "Hockey for beginners: skating, stick, puck and team play. Full equipment "
                  "required."),
    "YOGA": ("sports", "Yoga doux", "Gentle yoga",
             "Postures simples, respiration et détente. Apportez votre tapis.",
             "Simple postures, breathing and relaxation. Bring your mat."),
    "KARATE": ("sports", "Karaté — débutant", "Karate — beginner",
               "Techniques de base, discipline et respect. Kimono non fourni.",
               "Basic techniques, discipline and respect. Uniform not provided."),
    "MINIBASKET": ("sports", "Mini-basket", "Mini-basketball",
                   "Dribble, passe et tir, en petites équipes.",
                   "Dribbling, passing and shooting, in small teams."),
    "BADMINTON": ("sports", "Badminton libre — adultes", "Drop-in badminton — adults",
                  "Terrains réservés, jeu libre en double. Volants fournis.",
                  "Courts booked, free doubles play. Shuttlecocks provided."),
    "RAQUETTE": ("plein-air", "Raquette en famille", "Family snowshoeing",
                 "Sortie guidée dans le parc; raquettes prêtées sur place.",
                 "Guided outing in the park; snowshoes lent on site."),
    "MARCHE55": ("plein-air", "Marche active 55+", "Active walking 55+",
                 "Marche rapide accompagnée, à votre rythme.",
                 "Brisk walking with a guide, at your own pace."),
    "CAMP-RELACHE": ("camps", "Camp de la relâche", "Spring break day camp",
                     "Jeux, sports et bricolage pendant la semaine de relâche. Dîner non fourni.",
                     "Games, sports and crafts during spring break. Lunch not provided."),
}
ARENA = "osm:way/771153846"  # the outdoor rink in Parc Shamrock (leisure=ice_rink, no name)
EDGEWATER = "École primaire Edgewater"
ST_PATRICK = "Saint-Patrick Elementary School"
SPRING_BREAK = ["2027-03-01", "2027-03-02", "2027-03-03", "2027-03-04", "2027-03-05"]

# (group, activity, place, room, instructor, ages, age on, places, waiting list, resident fee,
#  prerequisite, counter only, [(rule, first session, last date, start, end, skipped dates)])
GROUPS = [
    ("PAT1-A", "PATIN-1", ARENA, "Patinoire extérieure", "Julie Tremblay", (4, 6), "2026-09-30",
     15, 5, "55,00", "", False,
     [("FREQ=WEEKLY;BYDAY=SA", "2027-01-16", "2027-02-27", "09:00", "09:50", [])]),
    ("PAT1-B", "PATIN-1", ARENA, "Patinoire extérieure", "Julie Tremblay", (4, 6), "2026-09-30",
     15, 5, "55,00", "", False,
     [("FREQ=WEEKLY;BYDAY=SA", "2027-01-16", "2027-02-27", "10:00", "10:50", [])]),
    ("PAT2-A", "PATIN-2", ARENA, "Patinoire extérieure", "Marc-André Roy", (5, 8), "2026-09-30",
     12, 4, "55,00", "PATIN-1", False,
     [("FREQ=WEEKLY;BYDAY=SA", "2027-01-16", "2027-02-27", "11:00", "11:50", [])]),
    ("HPN-A", "HOCKEY-PN", ARENA, "Patinoire extérieure", "Kevin O'Brien", (5, 6),
     "2026-12-31", 20, 6, "95,00", "", False,
     [("FREQ=WEEKLY;BYDAY=SA", "2027-01-16", "2027-02-27", "12:00", "13:00", []),
      ("FREQ=WEEKLY;BYDAY=WE", "2027-01-13", "2027-02-24", "17:30", "18:30", [])]),
    ("YOGA-A", "YOGA", EDGEWATER, "Gymnase", "Sophie Lavoie", (16, 99), "", 20, 5, "110,00",
     "", False,
     [("FREQ=WEEKLY;BYDAY=TU", "2027-01-12", "2027-03-23", "19:00", "20:15",
       ["2027-03-02"])]),
    ("KARATE-A", "KARATE", ST_PATRICK, "Gymnase", "Daniel Nguyen", (7, 12), "2026-09-30", 18,
     6, "120,00", "", False,
     [("FREQ=WEEKLY;BYDAY=MO,WE", "2027-01-11", "2027-03-24", "18:00", "19:00",
       ["2027-03-01", "2027-03-03"])]),
    ("MINIBASKET-A", "MINIBASKET", EDGEWATER, "Gymnase", "Amélie Gagnon", (8, 10), "2026-09-30",
     16, 4, "75,00", "", False,
     [("FREQ=WEEKLY;BYDAY=SA", "2027-01-16", "2027-03-20", "13:00", "14:00", [])]),
    ("BADMINTON-A", "BADMINTON", ST_PATRICK, "Gymnase", "", (18, 99), "", 24, 0, "60,00", "",
     False,
     [("FREQ=WEEKLY;BYDAY=TH", "2027-01-14", "2027-03-25", "19:30", "21:30",
       ["2027-03-04"])]),
    ("RAQUETTE-A", "RAQUETTE", "Parc Gilles Dicaire", "", "Louis Bergeron", (6, 99), "", 30, 10,
     "20,00", "", False,
     [("FREQ=WEEKLY;INTERVAL=2;BYDAY=SU", "2027-01-17", "2027-03-14", "10:00", "11:30", [])]),
    ("MARCHE55-A", "MARCHE55", "Parc Bellevue", "", "Ginette Côté", (55, 99), "", 25, 5, "35,00",
     "", True,
     [("FREQ=WEEKLY;BYDAY=TU,TH", "2027-01-12", "2027-03-25", "09:30", "10:30", [])]),
    ("CAMP-RELACHE-A", "CAMP-RELACHE", EDGEWATER, "Gymnase et cour", "Équipe d'animation",
     (5, 12), "2026-09-30", 40, 10, "145,00", "", False,
     [("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "2027-03-01", "2027-03-05", "08:00", "16:30", [])]),
]
PREREQUISITE_NOTES = {
    "PATIN-1": ("Avoir réussi le niveau 1 de patin.", "Passed skating level 1."),
}
COLUMNS = [*SEASON, "categorie", "categorie_fr", "categorie_en", "activite", "activite_fr",
           "activite_en", "description_fr", "description_en", "groupe", "lieu", "local",
           "moniteur", "age_min", "age_max", "age_au", "places", "liste_attente",
           "tarif_resident", "tarif_non_resident", "prealable", "prealable_fr", "prealable_en",
           "comptoir_seulement", "rrule", "date_debut", "date_fin", "heure_debut", "heure_fin",
           "exceptions"]


def non_resident(fee: str) -> str:
    """Non-residents pay half as much again."""
    cents = round(int(fee.replace(",", "")) * 1.5)
    return f"{cents // 100},{cents % 100:02d}"


def rows():
    for (code, activity, place, room, instructor, (age_min, age_max), age_on, places, waiting,
         fee, prerequisite, counter_only, slots) in GROUPS:
        category, title_fr, title_en, text_fr, text_en = ACTIVITIES[activity]
        note_fr, note_en = PREREQUISITE_NOTES.get(prerequisite, ("", ""))
        for rule, first, last, start, end, skipped in slots:
            yield {**SEASON, "categorie": category, "categorie_fr": CATEGORIES[category][0],
                   "categorie_en": CATEGORIES[category][1], "activite": activity,
                   "activite_fr": title_fr, "activite_en": title_en,
                   "description_fr": text_fr, "description_en": text_en, "groupe": code,
                   "lieu": place, "local": room, "moniteur": instructor, "age_min": age_min,
                   "age_max": age_max, "age_au": age_on, "places": places,
                   "liste_attente": waiting, "tarif_resident": fee,
                   "tarif_non_resident": non_resident(fee), "prealable": prerequisite,
                   "prealable_fr": note_fr, "prealable_en": note_en,
                   "comptoir_seulement": "oui" if counter_only else "non", "rrule": rule,
                   "date_debut": first, "date_fin": last, "heure_debut": start,
                   "heure_fin": end, "exceptions": " ".join(skipped)}


def main():
    # Semicolons and decimal commas, with a byte-order mark: what a French Excel writes.
    with open(OUT, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS, delimiter=";")
        writer.writeheader()
        writer.writerows(rows())
    print(f"{OUT.name}: {sum(len(g[-1]) for g in GROUPS)} lines, {len(GROUPS)} groups")


if __name__ == "__main__":
    main()
