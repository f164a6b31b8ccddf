"""The letters that tell streams apart on the printable calendar, where a day's cell has room
for a letter or two, and the page may be printed in black and white: the colour alone cannot
say which stream it is. Each stream of the page gets its own mark, in the page's language:
its initial when no other stream shares it ("Ordures ménagères": O), else the initials of its
words ("Matières recyclables": MR, "Matières organiques": MO), else its initial and a number."""
import re

# Words that say nothing about the stream: left out of the initials.
SMALL_WORDS = {"de", "du", "des", "d", "la", "le", "les", "l", "et", "en", "au", "aux", "à",
               "of", "the", "and", "a", "an", "for"}
WORD = re.compile(r"[^\W\d_]+")


def _words(name: str) -> list[str]:
    main = name.split("(")[0]  # "Organics (food waste)": what the brackets add is a detail
    words = [w for w in WORD.findall(main) if w.lower() not in SMALL_WORDS]
    return words or WORD.findall(name) or ["?"]


def _initials(name: str, count: int) -> str:
    return "".join(w[0] for w in _words(name)[:count]).upper()


def stream_marks(names: list[str]) -> list[str]:
    """One mark per name, in order, no two alike."""
    marks = [_initials(n, 1) for n in names]
    for count in (3, None):
        clashing = [i for i, m in enumerate(marks) if marks.count(m) > 1]
        if not clashing:
            break
        for rank, i in enumerate(clashing, start=1):
            marks[i] = _initials(names[i], 3) if count else f"{_initials(names[i], 1)}{rank}"
    return marks
