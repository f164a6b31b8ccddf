"""The catalogue in the admin: the lists and a group's page open; a group whose time slots
overlap, or whose rule cannot be read, is refused with the fix, as the importer refuses it."""
import pytest

from leisure.models import Group

pytestmark = pytest.mark.django_db


@pytest.fixture
def hockey():
    return Group.objects.get(season__code="H2027", code="HPN-A")


def test_the_lists_and_a_groups_page_open(admin_client, hockey):
    for url in ["/admin/leisure/season/", "/admin/leisure/activitycategory/",
                "/admin/leisure/activity/", "/admin/leisure/group/",
                f"/admin/leisure/group/{hockey.pk}/change/"]:
        assert admin_client.get(url).status_code == 200, url
    page = admin_client.get(f"/admin/leisure/group/{hockey.pk}/change/").content.decode()
    assert "FREQ=WEEKLY;BYDAY=SA" in page and "Plages horaires" in page


def _post(hockey, slots):
    data = {"season": hockey.season_id, "code": hockey.code, "activity": hockey.activity_id,
            "place": hockey.place_id, "room": "", "instructor": "", "age_min": 5, "age_max": 6,
            "age_on": "2026-12-31", "capacity": 20, "waiting_list_size": 6,
            "fee_resident": "95.00", "fee_non_resident": "142.50", "prerequisite": "",
            "prerequisite_note_fr": "", "prerequisite_note_en": "",
            "slots-TOTAL_FORMS": str(len(slots)), "slots-INITIAL_FORMS": "0",
            "slots-MIN_NUM_FORMS": "1", "slots-MAX_NUM_FORMS": "1000"}
    for n, (rule, start, end) in enumerate(slots):
        data.update({f"slots-{n}-rule": rule, f"slots-{n}-starts_on": "2027-01-16",
                     f"slots-{n}-ends_on": "2027-02-27", f"slots-{n}-start_time": start,
                     f"slots-{n}-end_time": end, f"slots-{n}-exceptions": ""})
    return data


def test_overlapping_slots_are_refused(admin_client, hockey):
    hockey.slots.all().delete()
    response = admin_client.post(f"/admin/leisure/group/{hockey.pk}/change/", _post(
        hockey, [("FREQ=WEEKLY;BYDAY=SA", "12:00", "13:00"),
                 ("FREQ=WEEKLY;BYDAY=SA,SU", "12:30", "13:30")]))
    assert response.status_code == 200
    assert "se chevauchent le 2027-01-16" in response.content.decode()
    assert not hockey.slots.exists()


def test_a_bad_rule_is_refused_and_a_good_one_stored_in_one_spelling(admin_client, hockey):
    hockey.slots.all().delete()
    response = admin_client.post(f"/admin/leisure/group/{hockey.pk}/change/", _post(
        hockey, [("FREQ=WEEKLY;BYDAY=SAM", "12:00", "13:00")]))
    assert response.status_code == 200 and "BYDAY=SAM" in response.content.decode()
    response = admin_client.post(f"/admin/leisure/group/{hockey.pk}/change/", _post(
        hockey, [("rrule:freq=weekly;byday=sa", "12:00", "13:00")]))
    assert response.status_code == 302
    slot = hockey.slots.get()
    assert (slot.rule, slot.weekdays) == ("FREQ=WEEKLY;BYDAY=SA", [6])
