"""A CSV export read safely, line by line: what an importer of another system's CSV shares.

The file must be UTF-8 text (a byte-order mark is accepted, as Excel's "CSV UTF-8" writes it):
a Latin-1 or Windows-1252 file is refused, naming its first line that is not UTF-8, so that no
accented name is ever misread. The separator is a comma or a semicolon, whichever splits the
header line more. The header names the columns, in any order and any case; the required ones
must all be there, the optional ones may be missing (read as empty), others are ignored.

The file is refused as a whole (ImportFailed, nothing read further) when it is missing, empty,
not UTF-8 text, not text at all (a NUL byte: a spreadsheet, a PDF), has a line over
`max_line_bytes`, a quote that does not close on its line, a last line cut short (truncated),
more than `max_rows` lines, or no line after its header.

(taxes/importers/tax_accounts.py reads its export the same way, with its own messages; it was
written first.)"""
import csv
from collections.abc import Iterator
from pathlib import Path

from django.utils.translation import gettext as _

from .report import ImportFailed

MAX_LINE_BYTES = 64 * 1024


def _not_utf8(path: Path, n: int) -> ImportFailed:
    return ImportFailed(_("The file %(name)s is not UTF-8 text (line %(n)d): save it as "
                          "“CSV UTF-8” (in Excel: Save as, CSV UTF-8), then import it "
                          "again. Nothing was saved.") % {"name": path.name, "n": n})


class _Lines:
    """The file's lines as text, one at a time (`n`: how many were read)."""

    def __init__(self, path: Path, raw, what: str, max_line_bytes: int):
        self.path, self.raw, self.what, self.max = path, raw, what, max_line_bytes
        self.n, self.ended = 0, True

    def __iter__(self):
        return self

    def __next__(self):
        line = self.raw.readline(self.max + 1)
        if not line:
            raise StopIteration
        self.n += 1
        if b"\0" in line:
            raise _not_utf8(self.path, self.n)
        if len(line) > self.max:
            raise ImportFailed(_("Line %(n)d of %(name)s is longer than %(kb)d kB: this is not "
                                 "%(what)s. Nothing was saved.")
                               % {"n": self.n, "name": self.path.name, "what": self.what,
                                  "kb": self.max // 1024})
        try:
            text = line.decode("utf-8-sig" if self.n == 1 else "utf-8")
        except UnicodeDecodeError:
            raise _not_utf8(self.path, self.n) from None
        self.ended = text.endswith(("\n", "\r"))
        return text


def read_csv(path, *, required: list[str], optional: list[str] = (), what: str,
             max_rows: int = 100_000,
             max_line_bytes: int = MAX_LINE_BYTES) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, {column: stripped text}) for each non-blank data line, as the file is read.
    `what` names the export in the messages ("a leisure software export"). Line numbers count
    the header as line 1."""
    path = Path(path)
    if not path.exists():
        raise ImportFailed(_("File not found: %(path)s") % {"path": path})
    if path.stat().st_size == 0:
        raise ImportFailed(_("The file %(name)s is empty.") % {"name": path.name})
    columns = [*required, *optional]
    with open(path, "rb") as raw:
        lines = _Lines(path, raw, what, max_line_bytes)
        header = next((line for line in lines if line.strip()), None)
        if header is None:
            raise ImportFailed(_("The file %(name)s is empty.") % {"name": path.name})
        delimiter = ";" if header.count(";") > header.count(",") else ","
        names = [n.strip().lower() for n in next(csv.reader([header], delimiter=delimiter))]
        missing = [c for c in required if c not in names]
        if missing:
            raise ImportFailed(_("The file %(name)s is not %(what)s: missing columns: "
                                 "%(columns)s (expected: %(expected)s).")
                               % {"name": path.name, "what": what,
                                  "columns": ", ".join(missing),
                                  "expected": ", ".join(required)})
        index = {c: names.index(c) for c in columns if c in names}
        first = lines.n  # the header's line; the reader counts the lines after it
        reader = csv.reader(lines, delimiter=delimiter)
        rows, last, line_num = 0, None, first
        while True:
            start = line_num + 1  # the first line of the next row
            try:
                row = next(reader, None)
            except csv.Error as exc:
                raise ImportFailed(_("Line %(n)d of %(name)s is not valid CSV (%(error)s): a "
                                     "quote (\") opened and not closed? Nothing was saved.")
                                   % {"n": start, "name": path.name, "error": exc}) from None
            if row is None:
                break
            line_num = first + reader.line_num
            if any("\n" in cell or "\r" in cell for cell in row):
                raise ImportFailed(_("Line %(n)d of %(name)s: a quote (\") opens a field that "
                                     "does not close on the same line. Fix the quotes or export "
                                     "the file again. Nothing was saved.")
                                   % {"n": start, "name": path.name})
            if not any(cell.strip() for cell in row):
                continue
            rows += 1
            if rows > max_rows:
                raise ImportFailed(_("The file %(name)s has more than %(max)d lines: this is "
                                     "not %(what)s, or split it. Nothing was saved.")
                                   % {"name": path.name, "max": max_rows, "what": what})
            if last is not None:
                yield last[:2]
            cells = [cell.strip() for cell in row] + [""] * (len(names) - len(row))
            last = (line_num, {c: cells[i] if i is not None else ""
                               for c, i in ((c, index.get(c)) for c in columns)},
                    len(row) < len(names))
    if last is not None:
        n, row, short = last
        if short and not lines.ended:
            raise ImportFailed(_("The file %(name)s ends in the middle of line %(n)d: it looks "
                                 "truncated. Export it again. Nothing was saved.")
                               % {"name": path.name, "n": n})
        yield n, row
    if not rows:
        raise ImportFailed(_("The file %(name)s holds no line after its header.")
                           % {"name": path.name})
