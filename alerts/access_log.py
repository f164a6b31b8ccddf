"""How this app's records read in the citizen's access log (core.access_log): their alert
subscriptions, one subscription ("alerts:subscription:<pk>"), their preferences and a browser
turned on for notifications ("alerts:browser:<pk>")."""
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from properties.selectors import address_labels

from .models import Subscription


def subscription(keys, subject) -> dict[str, str]:
    properties = dict(Subscription.objects.filter(pk__in=[int(k) for k in keys if k.isdigit()])
                      .values_list("pk", "property_id"))
    addresses = address_labels(properties.values())
    words = {str(pk): _("Your alerts for %(address)s") % {"address": addresses[property_id]}
             for pk, property_id in properties.items()}
    return {key: words.get(key, _("Your alerts for an address (since removed)"))
            for key in keys}


def register() -> None:
    from core.access_log import in_words, register_kind

    register_kind("alerts:subscriptions", in_words(gettext_lazy("Your alert subscriptions")))
    register_kind("alerts:preferences", in_words(gettext_lazy("Your alert preferences")))
    register_kind("alerts:subscription", subscription)
    register_kind("alerts:browser",
                  in_words(gettext_lazy("A browser that shows your notifications")))
