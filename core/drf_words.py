"""Django REST framework's own words that its French catalogue lacks (measured against
rest_framework/locale/fr on the installed version): written here so that makemessages puts
them in ours, which Django reads first (LOCALE_PATHS). Without them, an API answer read
"Trop de tentatives de connexion échouées. ... Expected available in 299 seconds." (issue 14:
one language at a time). Nothing imports this module: its strings only need extracting."""
from django.utils.translation import gettext_noop, ngettext_lazy

THROTTLE_WAIT = ngettext_lazy("Expected available in {wait} second.",
                              "Expected available in {wait} seconds.", "wait")

WORDS = [
    gettext_noop("Invalid input."),
    gettext_noop("Must be a valid UUID."),
    gettext_noop("Must be a valid boolean."),
    gettext_noop("Not a valid string."),
    gettext_noop("Datetime value out of range."),
    gettext_noop('Invalid datetime for the timezone "{timezone}".'),
    gettext_noop("Surrogate characters are not allowed: U+{code_point:X}."),
    gettext_noop("This dictionary may not be empty."),
    gettext_noop("Ensure this field has at least {min_length} elements."),
    gettext_noop("Ensure this field has no more than {max_length} elements."),
    gettext_noop('Enter a valid "slug" consisting of Unicode letters, numbers, underscores, '
                 "or hyphens."),
    gettext_noop("A page number within the paginated result set."),
    gettext_noop("Number of results to return per page."),
    gettext_noop("The initial index from which to return the results."),
    gettext_noop("The pagination cursor value."),
    gettext_noop("A search term."),
    gettext_noop("Which field to use when ordering the results."),
    gettext_noop("A {value_type} identifying this {name}."),
    gettext_noop("unique integer value"),
    gettext_noop("unique value"),
    gettext_noop("UUID string"),
]
