"""A library card's line in /api/me/ (the dashboard's, from the short cache only): no title, no
card number, the last four digits."""
from rest_framework import serializers


class LibraryLineSerializer(serializers.Serializer):
    card_id = serializers.UUIDField(source="card.pk")
    last_four = serializers.CharField(source="card.last_four")
    holder = serializers.CharField(source="card.holder_name", allow_blank=True,
                                   help_text="A household member's name; empty: the citizen's")
    status = serializers.ChoiceField(
        choices=["ok", "unavailable", "pin_needed", "to_load"],
        help_text="ok: the figures below; unavailable: the library's system does not answer, "
                  "try later; pin_needed: the card's PIN is asked on its record page; "
                  "to_load: the record page reads it")
    loans = serializers.IntegerField()
    overdue = serializers.IntegerField()
    next_due = serializers.DateTimeField(allow_null=True)
    owed = serializers.DecimalField(max_digits=10, decimal_places=2)
    currency = serializers.CharField(allow_blank=True)
    holds = serializers.IntegerField()
    holds_ready = serializers.IntegerField()
    blocked = serializers.BooleanField()
