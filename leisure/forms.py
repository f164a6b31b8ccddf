"""The registration's forms: who of a household goes in the basket (the citizen's pages), and
the leisure desk's (views/staff.py): a citizen's account found by e-mail, one of its household
members registered by a clerk (at the counter or by phone), a registration moved to another
group of the same season. Every choice is bounded by its queryset: a member of another
household, a group of another season, is an invalid choice (400), never a write. (The
catalogue's filters are in filters.py.)"""
from django import forms
from django.utils.translation import gettext_lazy as _

from citizens.models import HouseholdMember

from .models import Group, Registration
from .services import MAX_BASKET


class BasketAddForm(forms.Form):
    """Who of the household goes in the basket for a group."""

    members = forms.ModelMultipleChoiceField(
        queryset=None, widget=forms.CheckboxSelectMultiple, label=_("Who to register"),
        error_messages={"required": _("Choose who to register."),
                        "invalid_choice": _("Only the members of your household can be "
                                            "registered."),
                        "invalid_pk_value": _("Only the members of your household can be "
                                              "registered.")})

    attested = forms.BooleanField(required=False)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = members

    def clean_members(self):
        chosen = self.cleaned_data["members"]
        if len(chosen) > MAX_BASKET:
            raise forms.ValidationError(_("A basket holds %(n)d registrations at most.")
                                        % {"n": MAX_BASKET})
        return chosen



class AccountSearchForm(forms.Form):
    courriel = forms.EmailField(label=_("Citizen's e-mail address"), max_length=254)


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, member):
        born = member.birth_date.isoformat() if member.birth_date else _("date of birth unknown")
        return f"{member} ({born})"


class ClerkRegistrationForm(forms.Form):
    member = MemberChoiceField(label=_("Participant"), queryset=HouseholdMember.objects.none(),
                               widget=forms.RadioSelect, empty_label=None)
    channel = forms.ChoiceField(label=_("Channel"), widget=forms.RadioSelect, choices=[
        (Registration.Channel.COUNTER.value, Registration.Channel.COUNTER.label),
        (Registration.Channel.PHONE.value, Registration.Channel.PHONE.label)],
        initial=Registration.Channel.COUNTER.value)

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = HouseholdMember.objects.filter(user=account)


class GroupChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, group):
        return f"{group.activity.title} ({group.code})"


class MoveForm(forms.Form):
    group = GroupChoiceField(label=_("Move to the group"), queryset=Group.objects.none())

    def __init__(self, *args, registration, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = (
            Group.objects.filter(season_id=registration.group.season_id, cancelled_at=None)
            .exclude(pk=registration.group_id).select_related("activity")
            .order_by("activity__title_fr", "code"))
