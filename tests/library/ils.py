"""A library system (ILS) on a local TCP port, speaking SIP2 the way Koha does, for the tests:
a real conversation, nothing mocked between the portal and the socket.

Requests are read with pysip2's strict decoder (so a request of ours that breaks the spec fails
the test); answers are written by hand, as Koha writes them (tests/data/README.md: the field
order of Koha's C4/SIP/Sip/MsgType.pm, AO after the patron's fields, its "Item unavailable due
to outstanding holds"), in Latin-1, each with the request's AY and a fresh AZ. The server can
also be slow (sleep past the client's timeout), answer garbage, require a login, or replay
recorded answers of real systems (tests/data/sip2_real_answers.txt)."""
import datetime as dt
import socketserver
import threading
import time
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from pysip2 import decode_message
from pysip2.codec import calculate_checksum

MONTREAL = ZoneInfo("America/Montreal")
ON_HOLD_TEXT = "Item unavailable due to outstanding holds"


def sip_date(moment: dt.datetime) -> str:
    """Koha's timestamp(): YYYYMMDD, four blanks, HHMMSS, local time."""
    local = moment.astimezone(MONTREAL)
    return local.strftime("%Y%m%d") + "    " + local.strftime("%H%M%S")


@dataclass
class Item:
    title: str
    due: dt.datetime | None = None
    on_hold_for_another: bool = False  # not renewable
    queue: int = 0
    pickup_by: dt.datetime | None = None


@dataclass
class Patron:
    pin: str
    name: str
    charged: list = field(default_factory=list)
    holds_ready: list = field(default_factory=list)
    holds_waiting: list = field(default_factory=list)
    fines: list = field(default_factory=list)  # AV lines
    fee: str = "0.00"
    blocked: bool = False


def fixture_ils(now: dt.datetime | None = None):
    """The patrons and items of the tests: a family's cards, a blocked card."""
    now = now or dt.datetime.now(MONTREAL)
    day = dt.timedelta(days=1)
    items = {
        "31000000000101": Item("Le Petit Prince", due=now + 10 * day),
        "31000000000102": Item("Les Misérables, tome 1", due=now - 5 * day),
        "31000000000103": Item("Maria Chapdelaine", due=now + 2 * day, on_hold_for_another=True),
        "31000000000104": Item("L'Écume des jours", pickup_by=now + 5 * day),
        "31000000000105": Item("Kamouraska", queue=3),
        "31000000000106": Item("Ça va aller, Émile", due=now + 14 * day),
    }
    patrons = {
        "23529000445172": Patron(
            pin="1234", name="Tremblay, Élise",
            charged=["31000000000101", "31000000000102", "31000000000103"],
            holds_ready=["31000000000104"], holds_waiting=["31000000000105"],
            fines=["Retard : Les Misérables, tome 1 2.50"], fee="2.50"),
        "23529000445180": Patron(pin="0000", name="Gagnon, Marc", blocked=True,
                                 fines=["Document perdu 45.00"], fee="45.00"),
        "23529000445198": Patron(pin="4321", name="Tremblay, Léa",
                                 charged=["31000000000106"]),
    }
    return patrons, items


class FakeIls:
    """Its state (patrons, items) and behaviour (mode) may be changed while it runs."""

    def __init__(self, patrons=None, items=None, delay: float = 0.0):
        """`delay`: seconds before every answer (mode "slow"), e.g. 0.05 for a system that
        answers each message after 50 ms (bench/library_dashboard.py)."""
        fixtures = fixture_ils()
        self.patrons = patrons if patrons is not None else fixtures[0]
        self.items = items if items is not None else fixtures[1]
        self.mode = "slow" if delay else "ok"  # "slow", "garbage", "replay"
        self.delay = delay
        self.login = None  # (user, password): a 93 must come first
        # Patron information (63) without the patron's password (no AD): Koha answers it to
        # a logged-in SIP account (whose staff user has the circulate permission), lists and
        # all, without CQ (C4/SIP/Sip/MsgType.pm, handle_patron_info); a system that does not
        # gives the counts and withholds the lists, as with a wrong PIN.
        self.answers_without_pin = False
        self.replay: list[bytes] = []  # answers to give, in order ("replay")
        self.connections = 0
        self.requests: list[str] = []  # command ids received
        self.lock = threading.Lock()
        self.server = None

    # Running

    def start(self, port: int = 0):
        """Serve in a thread on 127.0.0.1:`port` (0: a free one, see `port`)."""
        ils = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                ils._serve(self.request)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def stop(self):
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def _serve(self, sock):
        with self.lock:
            self.connections += 1
        sock.settimeout(10)
        buffer = b""
        logged_in = self.login is None
        while True:
            while b"\r" not in buffer:
                try:
                    chunk = sock.recv(4096)
                except OSError:
                    return
                if not chunk:
                    return
                buffer += chunk
            frame, _, buffer = buffer.partition(b"\r")
            decoded = decode_message(frame + b"\r", encoding="latin-1")
            request = decoded.message
            command = frame[:2].decode()
            with self.lock:
                self.requests.append(command)
            if self.mode == "slow":
                time.sleep(self.delay)
            if self.mode == "garbage":
                sock.sendall(b"\xff\xfeHELLO, this is not SIP2\r")
                continue
            if command == "93":
                logged_in = self.login is not None and (
                    request.login_user_id, request.login_password) == self.login
                text = "941" if logged_in else "940"
            elif not logged_in:
                return  # Koha closes the connection of a terminal that did not log in
            elif self.mode == "replay":
                text = self.replay.pop(0).decode("latin-1") if self.replay else "XX"
            elif command == "63":
                text = self._patron_info(request)
            elif command == "17":
                text = self._item_info(request)
            elif command == "29":
                text = self._renew(request)
            else:
                text = "96"
            data = text.encode("latin-1")
            if decoded.sequence_number is not None:
                data += f"AY{decoded.sequence_number}AZ".encode()
                data += calculate_checksum(data).encode()
            try:
                sock.sendall(data + b"\r")
            except OSError:
                return

    # The answers, as Koha writes them

    def _patron_info(self, request) -> str:
        patron = self.patrons.get(request.patron_identifier)
        now = sip_date(dt.datetime.now(MONTREAL))
        if patron is None:
            return (f"64YYYY          000{now}" + "0000" * 6
                    + f"AO{request.institution_id}|AA{request.patron_identifier}|AE|BLN|"
                    "AFInvalid cardnumber|")
        pin_ok = request.patron_password == patron.pin
        no_pin = self.answers_without_pin and not request.patron_password
        status = ("YYYY" if (patron.blocked or not (pin_ok or no_pin)) else "    ") + " " * 10
        # CQ only when AD was sent: Koha reports the password's check only if one was given
        cq = "" if request.patron_password is None else f"CQ{'Y' if pin_ok else 'N'}|"
        overdue = [i for i in patron.charged
                   if self.items[i].due and self.items[i].due < dt.datetime.now(MONTREAL)]
        counts = [len(patron.holds_ready), len(overdue), len(patron.charged), len(patron.fines),
                  0, len(patron.holds_waiting)]
        text = (f"64{status}000{now}" + "".join(f"{n:04d}" for n in counts)
                + f"AO{request.institution_id}|AA{request.patron_identifier}|AE{patron.name}|"
                f"BLY|{cq}BHCAD|BV{patron.fee}|CC20.00|")
        if not (pin_ok or no_pin):
            return text + "AFInvalid password|"
        summary = request.summary
        lists = [("AS", patron.holds_ready, 0), ("AT", overdue, 1), ("AU", patron.charged, 2),
                 ("AV", patron.fines, 3), ("CD", patron.holds_waiting, 5)]
        for code, values, position in lists:
            if summary[position] == "Y":
                text += "".join(f"{code}{value}|" for value in values)
        if patron.blocked:
            text += "AFPatron has blocks|"
        return text + "PB19850412|PCPT|PIY|"  # Koha's extensions: birth date, category...

    def _item_info(self, request) -> str:
        item = self.items.get(request.item_identifier)
        now = sip_date(dt.datetime.now(MONTREAL))
        if item is None:
            return f"18010101{now}AB{request.item_identifier}|AJ|AOTEST|"
        status = "04" if item.due else ("08" if item.pickup_by else "03")
        text = f"18{status}0001{now}AB{request.item_identifier}|AJ{item.title}|"
        if item.due:
            text += f"AH{sip_date(item.due)}|"
        if item.queue:
            text += f"CF{item.queue}|"
        if item.pickup_by:
            text += f"CM{sip_date(item.pickup_by)}|"
        return text + "AQBIBLIO|APBIBLIO|BGBIBLIO|BHCAD|CK001|"

    def _renew(self, request) -> str:
        now = sip_date(dt.datetime.now(MONTREAL))
        patron = self.patrons.get(request.patron_identifier)
        item = self.items.get(request.item_identifier or "")
        refused = (f"300NUN{now}AA{request.patron_identifier}|AB{request.item_identifier}|"
                   f"AJ{item.title if item else ''}|AH|AO{request.institution_id}|")
        if patron is None or request.patron_password != patron.pin or item is None:
            return refused + "AFInvalid patron or patron password|"
        if item.on_hold_for_another:
            return refused + f"AF{ON_HOLD_TEXT}|"
        if patron.blocked:
            return refused + "AFPatron debarred|"
        item.due = (item.due or dt.datetime.now(MONTREAL)) + dt.timedelta(days=21)
        return (f"301YUN{now}AA{request.patron_identifier}|AB{request.item_identifier}|"
                f"AJ{item.title}|AH{sip_date(item.due)}|CK001|AO{request.institution_id}|")
