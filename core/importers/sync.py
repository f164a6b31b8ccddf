"""Keeping a table in step with its source file (django-munigeo's ModelSyncher idea).

An importer opens a Syncer over the rows that came from this source (its `source` or its kind
of row), tells it each key the file holds (`seen`, with whether that row changed), and calls
`finish()` before the end of its transaction: the rows the file no longer holds are reported
and, on --commit, deleted; a key seen twice is reported (the caller skips the second), never
written over the first; and a file that would delete or change more than `max_share` of the
rows already loaded (default 30 %) is refused unless --force: a truncated export, the wrong
layer or another town's file must not empty the table."""
from dataclasses import dataclass, field

from django.db.models import ProtectedError
from django.db.models.deletion import Collector
from django.utils.translation import gettext as _

from .report import ImportFailed, ImportReport

DEFAULT_MAX_SHARE = 0.30


@dataclass
class Syncer:
    queryset: object  # the rows of this source, before the import
    key: str  # the field that identifies a row in the source (source_id, code, matricule...)
    report: ImportReport
    label: str  # what the rows are, plural, for the messages ("places", "streets")
    max_share: float = DEFAULT_MAX_SHARE
    force: bool = False
    existing: dict = field(init=False)
    seen_keys: set = field(init=False, default_factory=set)
    changed: int = field(init=False, default=0)

    def __post_init__(self):
        self.existing = dict(self.queryset.values_list(self.key, "pk"))

    def seen(self, key, *, changed: bool = False) -> bool:
        """Record `key` as held by the file; False when it was already seen (a duplicate id: the
        caller skips the row, reported here)."""
        key = str(key) if not isinstance(key, str) else key
        if key in self.seen_keys:
            self.report.skip(key, _("the same identifier appears more than once in the file; "
                                    "only its first row was read"))
            return False
        self.seen_keys.add(key)
        if changed and key in self.existing:
            self.changed += 1
        return True

    def stale(self) -> list:
        return sorted(set(self.existing) - self.seen_keys, key=str)

    def check(self) -> list:
        """Refuse a file that changes too much (unless force); the stale keys otherwise. For an
        importer that replaces the rows otherwise than by deleting them (a new draft zone set)."""
        stale = self.stale()
        total = len(self.existing)
        share = (len(stale) + self.changed) / total if total else 0.0
        if total and share > self.max_share and not self.force:
            raise ImportFailed(_(
                "This file would delete %(stale)d and change %(changed)d of the %(total)d "
                "%(label)s already loaded (%(share)d %%, more than %(max)d %%). Check that it "
                "is the whole, current file of the right layer; if it is (a new source, a "
                "redistricting), run the command again with --force.") % {
                "stale": len(stale), "changed": self.changed, "total": total,
                "label": self.label, "share": round(share * 100),
                "max": round(self.max_share * 100)})
        return stale

    def finish(self, *, commit: bool) -> list:
        """Refuse a file that changes too much (unless force), then report the rows the file
        no longer holds and delete them on commit. Returns their keys."""
        stale = self.check()
        if stale:
            shown = ", ".join(str(k) for k in stale[:20]) + (" …" if len(stale) > 20 else "")
            self.report.retired += len(stale)
            self.report.notes.append(
                _("No longer in the file, %(what)s: %(n)d (%(keys)s)%(done)s") % {
                    "what": self.label, "n": len(stale), "keys": shown,
                    "done": _(", removed") if commit else _(", to be removed with --commit")})
            gone = self.queryset.filter(pk__in=[self.existing[k] for k in stale])
            try:  # a dry run says it too: the rows other records still use (PROTECT)
                Collector(using=gone.db).collect(gone)
            except ProtectedError as exc:  # e.g. a place that leisure groups meet at
                raise ImportFailed(_protected_message(self.label, exc)) from None
            if commit:
                gone.delete()
        return stale


def _protected_message(label: str, exc: ProtectedError) -> str:
    """Rows the file no longer holds that other records still use: which, and the fix."""
    users: dict[str, list[str]] = {}
    for obj in exc.protected_objects:
        users.setdefault(str(obj._meta.verbose_name_plural), []).append(str(obj))
    used_by = "; ".join(f"{kind}: " + ", ".join(names[:5]) + (" …" if len(names) > 5 else "")
                        for kind, names in users.items())
    return _("Some %(label)s that this file no longer holds are still used by other records "
             "(%(used_by)s). Give those records another one first (in the admin), or import a "
             "file that still holds them. Nothing was saved.") % {"label": label,
                                                                  "used_by": used_by}
