"""French first: every string the code marks for translation has a French translation, checked
by extracting them again with Django's makemessages (GNU gettext) from a copy of the code, as
`make messages` does, and reading the result with the standard library."""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = ["config", *sorted(p.name for p in ROOT.iterdir() if (p / "apps.py").exists())]
ENTRY = re.compile(r'(#,[^\n]*\n)?(?:#\|[^\n]*\n)*msgid ((?:"[^\n]*"\n)+)'
                   r'(?:msgid_plural (?:"[^\n]*"\n)+)?((?:msgstr(?:\[\d\])? (?:"[^\n]*"\n)+)+)')


def _entries(po: str):
    for flags, msgid, msgstr in ENTRY.findall(po + "\n"):
        text = "".join(re.findall(r'"(.*)"', msgid))
        if text:
            translated = [("".join(re.findall(r'"(.*)"', part)))
                          for part in re.split(r"msgstr(?:\[\d\])? ", msgstr) if part]
            yield text, "fuzzy" in flags, translated


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext is installed by make")
def test_every_string_has_its_french_translation(tmp_path):
    for name in [*APPS, "manage.py", "locale"]:
        source = ROOT / name
        copy = shutil.copytree if source.is_dir() else shutil.copy
        copy(source, tmp_path / name)
    subprocess.run([sys.executable, "manage.py", "makemessages", "-l", "fr", "--no-obsolete",
                    "-v", "0"], cwd=tmp_path, check=True)
    extracted = (tmp_path / "locale/fr/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    missing = [msgid for msgid, fuzzy, translated in _entries(extracted)
               if fuzzy or not all(translated)]
    assert missing == []
    # The committed catalogue is the one extracted (nothing left only in the copy).
    committed = (ROOT / "locale/fr/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    assert {m for m, *_ in _entries(extracted)} == {m for m, *_ in _entries(committed)}
