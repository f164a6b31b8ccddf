"""What every importer returns, and the one error type it raises for bad input."""
from dataclasses import dataclass, field

from django.utils.translation import gettext as _


class ImportFailed(Exception):
    """Bad input the user must fix. The message is for the user, in their language; nothing was
    written."""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    repaired: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (feature ref, reason)
    notes: list[str] = field(default_factory=list)
    unlinked: int = 0  # imported but not located on the map (roll units)
    retired: int = 0  # rows of this source no longer in the file (sync.Syncer)
    flattened: int = 0  # 3-D (Z) or measured (M) geometries read as 2-D
    committed: bool = False

    def skip(self, ref, reason):
        self.skipped.append((str(ref), reason))

    def skipped_by_reason(self):
        out: dict[str, list[str]] = {}
        for ref, reason in self.skipped:
            out.setdefault(reason, []).append(ref)
        return out

    def render(self, max_refs=20) -> str:
        lines = [
            _("Created: %(n)d") % {"n": self.created},
            _("Updated: %(n)d") % {"n": self.updated},
            _("Invalid geometries repaired: %(n)d") % {"n": self.repaired},
            _("Skipped: %(n)d") % {"n": len(self.skipped)},
        ]
        if self.retired:
            lines.insert(2, _("No longer in the file: %(n)d") % {"n": self.retired})
        if self.flattened:
            lines.insert(-1, _("3-D or measured geometries flattened to 2-D: %(n)d")
                         % {"n": self.flattened})
        for reason, refs in self.skipped_by_reason().items():
            shown = ", ".join(refs[:max_refs]) + (" …" if len(refs) > max_refs else "")
            lines.append(f"  - {reason} ({len(refs)}): {shown}")
        lines.extend(self.notes)
        lines.append(_("Changes saved.") if self.committed
                     else _("Dry run: nothing was saved (add --commit to save)."))
        return "\n".join(lines)
