"""The library system over SIP2 (the 3M Standard Interchange Protocol 2.00, what self-checkout
machines speak; Koha, Evergreen, Sierra, Symphony and Polaris all do).

One call is one TCP conversation (TLS optional): Login (93) when a user is configured, then the
messages the call needs, then the connection is closed. The whole call has one deadline (the
setting GUICHET_LIBRARY_TIMEOUT_S, 2 s by default): every read and write gets what is left of it,
so a system answering slowly cannot hold a page longer than that.

The codec is pysip2's (PyPI, MIT): its typed models build and validate our requests and its
checksum functions compute and verify AZ. Its decoder, though, is as strict as a server must be,
and refuses answers that real systems send: Sierra's transaction dates carry "0000" where the
spec has the time zone's letters, Evergreen's refused renewal (30) has no title (AJ), due date
(AH) or institution (AO). A client must read what it is given, so the answers are read here
with pysip2's own message layouts (fixed fields' widths, in order) and the variable fields taken
by their two-letter codes in any order, missing ones empty, unknown ones ignored. An answer
that still cannot be read (another command, a fixed part too short, a wrong checksum twice) is
the system's failure: IlsUnavailable.

What is asked for a record (patron information, 63, with the card's PIN in AD): SIP2 lists one
kind of item per message (the summary field), so the charged items first, whose answer also
gives every count, the fee amount (BV) and whether the PIN is right (CQ); then only the lists
whose count is not zero: overdue items, holds ready (AS), holds waiting (CD), fines (AV). Each
loan's and hold's title and due date come from item information (17/18). SIP2 2.00 does not
say a reader's place in a hold queue: the record gives the queue's length (CF) when the system
sends it, and leaves the position to a connector that knows it (Koha's REST API)."""
import datetime as dt
import re
import socket
import ssl
import time
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from pysip2 import (
    ItemInformationRequest,
    LoginRequest,
    PatronInformationRequest,
    RenewRequest,
    SIP2Error,
    SIPMessage,
    calculate_checksum,
    encode_message,
    verify_checksum,
)
from pysip2.models import spec_for_id

from .base import (
    BLOCKED,
    LIMIT,
    NOT_LOANED,
    ON_HOLD,
    OVERDUE,
    TOO_SOON,
    UNKNOWN,
    Fine,
    Hold,
    IlsUnavailable,
    ItemInfo,
    LibraryConnector,
    Loan,
    PatronRecord,
    PinRequired,
    RenewResult,
)

DELIMITER = "|"
MAX_FRAME = 64 * 1024  # an answer longer than this is not a SIP2 message
# Patron status (14 characters, "Y" = true): the positions that stop borrowing.
CHARGE_DENIED, CARD_LOST = 0, 4
# The summary field of 63: one list per message.
SUMMARY = {"holds": 0, "overdue": 1, "charged": 2, "fines": 3, "unavailable": 5}
LIST_FIELD = {"holds": "AS", "overdue": "AT", "charged": "AU", "fines": "AV",
              "unavailable": "CD"}
COUNT_FIELD = {"holds": "hold_items_count", "overdue": "overdue_items_count",
               "charged": "charged_items_count", "fines": "fine_items_count",
               "unavailable": "unavailable_holds_count"}
ITEMS_PER_LIST = 200  # BP 1 to BQ this
RESEND = b"97AZ" + calculate_checksum(b"97AZ").encode("ascii") + b"\r"  # "send that again"


class Response:
    """A SIP2 answer read leniently: `command`, `fixed` {name: text} in the layout's order,
    `fields` {code: [values]} in the order received, `sequence` (AY) if any."""

    def __init__(self, command: str, fixed: dict, fields: dict, sequence: int | None):
        self.command, self.fixed, self.fields, self.sequence = command, fixed, fields, sequence

    def get(self, code: str, default: str = "") -> str:
        values = self.fields.get(code)
        return values[0] if values else default

    def all(self, code: str) -> list[str]:
        return list(self.fields.get(code, ()))

    def __repr__(self):
        return f"<SIP2 {self.command} {self.fixed} {dict(self.fields)}>"


class ChecksumMismatch(IlsUnavailable):
    pass


def parse_frame(frame: bytes, encoding: str = "latin-1") -> Response:
    """One answer (with or without its CR) as a Response; IlsUnavailable if it is not one."""
    body = frame.rstrip(b"\r\n").lstrip(b"\n")
    if b"\x00" in body or len(body) < 2:
        raise IlsUnavailable("not a SIP2 message")
    sequence = None
    if len(body) >= 6 and body[-6:-4] == b"AZ":
        if not verify_checksum(body):
            raise ChecksumMismatch("checksum mismatch")
        rest = body[:-6]
        if len(rest) >= 3 and rest[-3:-1] == b"AY" and rest[-1:].isdigit():
            sequence, body = int(rest[-1:]), rest[:-3]
        else:
            body = rest
    try:
        command = body[:2].decode("ascii")
        spec = spec_for_id(command)
    except (UnicodeDecodeError, KeyError):
        raise IlsUnavailable(f"unknown SIP2 command {body[:2]!r}") from None
    text = body[2:].decode(encoding, errors="replace")
    fixed, cursor = {}, 0
    for field in spec.fields:
        if field.field_id is None:
            piece = text[cursor:cursor + field.width]
            if len(piece) != field.width:
                raise IlsUnavailable(f"SIP2 {command}: fixed fields cut short")
            fixed[field.name] = piece
            cursor += field.width
    fields = defaultdict(list)
    for chunk in text[cursor:].split(DELIMITER):
        if len(chunk) >= 2 and chunk[:2].isalnum() and chunk[:2].isupper():
            fields[chunk[:2]].append(chunk[2:])
        elif chunk.strip():
            raise IlsUnavailable(f"SIP2 {command}: a field without its code")
    return Response(command, fixed, dict(fields), sequence)


def frame_of(text: str, encoding: str = "latin-1", sequence: int | None = None) -> bytes:
    """A raw message with its AY/AZ trailer (when `sequence` is given) and CR: for tests and
    servers that play an ILS."""
    data = text.encode(encoding)
    if sequence is None:
        return data + b"\r"
    data += f"AY{sequence}AZ".encode("ascii")
    return data + calculate_checksum(data).encode("ascii") + b"\r"


def sip_now(now: dt.datetime | None = None) -> str:
    """The transaction date field: local time, the zone left blank (YYYYMMDD    HHMMSS)."""
    local = timezone.localtime(now)
    return local.strftime("%Y%m%d") + "    " + local.strftime("%H%M%S")


_UTC_ZONES = {"Z", "UTC", "GMT"}
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?)?")


def parse_date(text: str) -> dt.datetime | None:
    """A date as systems write it in AH (due date) or CM (hold pickup date): the SIP2 form
    YYYYMMDDZZZZHHMMSS (a blank or unknown zone is the library's local time, which is the
    site's), YYYYMMDD, or ISO 8601 (Evergreen's, with or without time and offset); None for
    anything else (the text is then shown as it is)."""
    text = (text or "").strip()
    if not text:
        return None
    local = ZoneInfo(settings.TIME_ZONE)
    try:
        if len(text) == 18 and text[:8].isdigit() and text[12:].isdigit():
            zone = text[8:12].strip()
            moment = dt.datetime.strptime(text[:8] + text[12:], "%Y%m%d%H%M%S")
            return moment.replace(tzinfo=dt.UTC if zone in _UTC_ZONES else local)
        if len(text) == 8 and text.isdigit():
            return dt.datetime.strptime(text, "%Y%m%d").replace(hour=23, minute=59,
                                                               tzinfo=local)
        if _ISO.match(text):
            moment = dt.datetime.fromisoformat(text.replace(" ", "T", 1))
            if moment.tzinfo is None:
                if len(text) == 10:
                    moment = moment.replace(hour=23, minute=59)
                moment = moment.replace(tzinfo=local)
            return moment
    except ValueError:
        return None
    return None


def parse_amount(text: str) -> Decimal | None:
    """An amount as systems write it: "9.25", "100.00", "$2.50", "2,50 $", "0", or the last
    amount with cents in a fine's line ("Overdue: Les Misérables, tome 1 2.50"); None if
    there is none."""
    text = (text or "").strip()
    found = re.findall(r"-?\d+[.,]\d{2}(?!\d)", text)
    if found:
        value = found[-1]
    else:
        whole = re.fullmatch(r"[^\d-]*(-?\d+)[^\d]*", text)
        if whole is None:
            return None
        value = whole.group(1)
    try:
        return Decimal(value.replace(",", "."))
    except InvalidOperation:
        return None


def _int(text: str) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() else None


# Why a renewal was refused, from the system's own words (English or French): Koha's "Item
# unavailable due to outstanding holds", "Item has reached maximum renewals", its codes
# (on_reserve, too_many, too_soon, restriction, overdue), Evergreen's event names...
_REASONS = [
    (ON_HOLD, ("hold", "reserv", "réserv", "on_reserve", "needed for", "requested",
               "demandé")),
    (LIMIT, ("maximum", "too_many", "too many", "limit", "max renew", "nombre de renouvel")),
    (TOO_SOON, ("too soon", "too_soon", "trop tôt", "not yet")),
    (NOT_LOANED, ("not checked out", "not on loan", "not loaned", "no_checkout",
                  "pas en prêt", "not charged")),
    (OVERDUE, ("overdue", "en retard")),
    (BLOCKED, ("block", "bloqu", "restrict", "fine", "amende", "frais", "debarred",
               "expired", "expir", "suspend", "privilege")),
]


def renewal_reason(message: str) -> str:
    words = (message or "").lower()
    for reason, needles in _REASONS:
        if any(needle in words for needle in needles):
            return reason
    return UNKNOWN


class Conversation:
    """One connection to the SIP2 server, every read and write within `deadline`."""

    def __init__(self, sock, *, deadline: float, encoding: str, checksums: bool):
        self.sock, self.deadline = sock, deadline
        self.encoding, self.checksums = encoding, checksums
        self.sequence = 0
        self.buffer = b""

    def _remaining(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise IlsUnavailable("the library's system did not answer in time")
        return left

    def _send(self, data: bytes) -> None:
        self.sock.settimeout(self._remaining())
        self.sock.sendall(data)

    def _read_frame(self) -> bytes:
        while b"\r" not in self.buffer.lstrip(b"\r\n"):
            self.sock.settimeout(self._remaining())
            chunk = self.sock.recv(8192)
            if not chunk:
                raise IlsUnavailable("the library's system closed the connection")
            self.buffer += chunk
            if len(self.buffer) > MAX_FRAME:
                raise IlsUnavailable("an answer too long to be SIP2")
        self.buffer = self.buffer.lstrip(b"\r\n")
        frame, _, self.buffer = self.buffer.partition(b"\r")
        return frame + b"\r"

    def exchange(self, message: SIPMessage, expect: str) -> Response:
        """Send `message`, read the answer `expect` (its command id). A 96 (send again) is
        answered once by sending again; a wrong checksum by asking for the answer again (97)."""
        sequence = self.sequence
        self.sequence = (self.sequence + 1) % 10
        try:
            data = encode_message(message, sequence_number=sequence if self.checksums else None,
                                  checksum=self.checksums, encoding=self.encoding)
        except (SIP2Error, UnicodeEncodeError) as error:
            raise IlsUnavailable(f"cannot write this request in SIP2: {error}") from error
        self._send(data)
        for attempt in range(2):
            try:
                response = parse_frame(self._read_frame(), self.encoding)
            except ChecksumMismatch:
                if attempt:
                    raise
                self._send(RESEND if self.checksums else b"97\r")
                continue
            if response.command == "96" and not attempt:
                self._send(data)
                continue
            break
        if response.command != expect:
            raise IlsUnavailable(f"expected a {expect}, the system answered {response.command}")
        if self.checksums and response.sequence is not None and response.sequence != sequence:
            raise IlsUnavailable("the answer is not to our message (sequence number)")
        return response


class Sip2Connector(LibraryConnector):
    def __init__(self, *, host: str, port: int, institution: str = "", user: str = "",
                 password: str = "", location: str = "", terminal_password: str = "",
                 encoding: str = "latin-1", checksums: bool = True, tls: bool = False,
                 tls_ca: str = "", timeout: float = 2.0):
        self.host, self.port, self.institution = host, port, institution
        self.user, self.password, self.location = user, password, location
        self.terminal_password = terminal_password
        self.encoding, self.checksums = encoding, checksums
        self.tls, self.tls_ca, self.timeout = tls, tls_ca, timeout

    @classmethod
    def from_settings(cls) -> "Sip2Connector":
        return cls(**settings.GUICHET_LIBRARY_SIP2, timeout=settings.GUICHET_LIBRARY_TIMEOUT_S)

    # The conversation

    def _open(self) -> Conversation:
        deadline = time.monotonic() + self.timeout
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
            if self.tls:
                context = ssl.create_default_context(cafile=self.tls_ca or None)
                sock = context.wrap_socket(sock, server_hostname=self.host)
        except (OSError, ssl.SSLError) as error:
            raise IlsUnavailable(f"cannot reach the library's system: {error}") from error
        conversation = Conversation(sock, deadline=deadline, encoding=self.encoding,
                                    checksums=self.checksums)
        if self.user:
            try:
                answer = conversation.exchange(LoginRequest(
                    uid_algorithm="0", pwd_algorithm="0", login_user_id=self.user,
                    login_password=self.password, location_code=self.location or None), "94")
            except BaseException:
                sock.close()
                raise
            if answer.fixed.get("ok") != "1":
                sock.close()
                raise IlsUnavailable("the library's system refused our login (93)")
        return conversation

    def _call(self, work):
        conversation = self._open()
        try:
            return work(conversation)
        except (OSError, ssl.SSLError) as error:  # socket.timeout is an OSError
            raise IlsUnavailable(f"the library's system failed: {error}") from error
        finally:
            conversation.sock.close()

    # The messages

    def _patron(self, conversation, barcode: str, pin: str | None, summary: str) -> Response:
        flags = [" "] * 10
        if summary:
            flags[SUMMARY[summary]] = "Y"
        return conversation.exchange(PatronInformationRequest(
            language="000", transaction_date=sip_now(), summary="".join(flags),
            institution_id=self.institution, patron_identifier=barcode,
            terminal_password=self.terminal_password, patron_password=pin,
            start_item="1", end_item=str(ITEMS_PER_LIST)), "64")

    def _item(self, conversation, item_id: str) -> ItemInfo:
        answer = conversation.exchange(ItemInformationRequest(
            transaction_date=sip_now(), institution_id=self.institution,
            item_identifier=item_id, terminal_password=self.terminal_password), "18")
        due_text = answer.get("AH")
        pickup = parse_date(answer.get("CM"))
        return ItemInfo(item_id=item_id, title=answer.get("AJ").strip(),
                        due=parse_date(due_text), due_text=due_text.strip(),
                        queue_length=_int(answer.get("CF")),
                        pickup_by=timezone.localtime(pickup).date() if pickup else None)

    def _renew(self, conversation, barcode: str, pin: str, item_id: str) -> RenewResult:
        now = sip_now()
        answer = conversation.exchange(RenewRequest(
            third_party_allowed="N", no_block="N", transaction_date=now, nb_due_date=now,
            institution_id=self.institution, patron_identifier=barcode, patron_password=pin,
            item_identifier=item_id, terminal_password=self.terminal_password), "30")
        message = " ".join(m.strip() for m in answer.all("AF") if m.strip())
        ok = answer.fixed.get("ok") == "1"
        return RenewResult(item_id=item_id, ok=ok, due=parse_date(answer.get("AH")) if ok
                           else None, reason="" if ok else renewal_reason(message),
                           message=message, title=answer.get("AJ").strip())

    # The interface

    def patron_info(self, barcode: str, pin: str) -> PatronRecord:
        return self._call(lambda c: self._record(c, barcode, pin))

    def patron_info_without_pin(self, barcode: str) -> PatronRecord:
        return self._call(lambda c: self._record(c, barcode, None))

    def item_info(self, item_id: str) -> ItemInfo:
        return self._call(lambda c: self._item(c, item_id))

    def renew(self, barcode: str, pin: str, item_id: str) -> RenewResult:
        return self._call(lambda c: self._renew(c, barcode, pin, item_id))

    def renew_many(self, barcode: str, pin: str,
                   item_ids: Sequence[str]) -> list[RenewResult]:
        return self._call(lambda c: [self._renew(c, barcode, pin, i) for i in item_ids])

    def _record(self, conversation, barcode: str, pin: str | None) -> PatronRecord:
        """The record; `pin` None: asked without the reader's PIN (no AD), as the portal's own
        SIP2 account (the reminder job). SIP2 makes AD optional in 63 and leaves the answer to
        the system: one that keeps the lists from us (a count above zero, its list missing)
        raises PinRequired; the record then says `pin_ok` False, since no PIN was checked."""
        without_pin = pin is None
        first = self._patron(conversation, barcode, pin, "charged")
        valid = first.get("BL").strip().upper() == "Y"
        # CQ is optional in the spec: without it nothing says the PIN was checked, so it is
        # not taken as right (the card is not linked, the record not shown).
        pin_ok = first.get("CQ").strip().upper() == "Y"
        messages = tuple(m.strip() for m in first.all("AF") if m.strip())
        if not valid or not (pin_ok or without_pin):
            return PatronRecord(barcode=barcode, valid=valid, pin_ok=pin_ok, messages=messages)
        if without_pin and not first.all("AU") and _int(
                first.fixed.get(COUNT_FIELD["charged"], "")):
            raise PinRequired("the library's system does not list loans without the PIN")
        status = first.fixed.get("patron_status", "")
        blocked = any(status[i:i + 1] == "Y" for i in (CHARGE_DENIED, CARD_LOST))
        lists = {"charged": first.all("AU")}
        for kind in ("overdue", "holds", "unavailable", "fines"):
            found = first.all(LIST_FIELD[kind])  # a system that sends every list at once
            count = _int(first.fixed.get(COUNT_FIELD[kind], ""))
            if not found and count != 0:
                found = self._patron(conversation, barcode, pin, kind).all(LIST_FIELD[kind])
                if without_pin and not found and count:
                    raise PinRequired(f"the library's system does not list {kind} without "
                                      "the PIN")
            lists[kind] = found
        now = timezone.now()
        overdue_ids = {value.strip() for value in lists["overdue"]}
        loans = []
        for item_id in dict.fromkeys(v.strip() for v in lists["charged"] + lists["overdue"]):
            if not item_id:
                continue
            item = self._item(conversation, item_id)
            late = item_id in overdue_ids or (item.due is not None and item.due < now)
            loans.append(Loan(item_id=item_id, title=item.title or item_id, due=item.due,
                              due_text="" if item.due else item.due_text, overdue=late))
        holds = []
        for ready, kind in ((True, "holds"), (False, "unavailable")):
            for value in lists[kind]:
                value = value.strip()
                if not value:
                    continue
                item = self._item(conversation, value)
                holds.append(Hold(item_id=value, title=item.title or value, ready=ready,
                                  pickup_by=item.pickup_by if ready else None,
                                  queue_length=None if ready else item.queue_length))
        fines = tuple(Fine(description=value.strip(), amount=parse_amount(value))
                      for value in lists["fines"] if value.strip())
        total = parse_amount(first.get("BV"))
        return PatronRecord(
            barcode=barcode, valid=True, pin_ok=not without_pin, blocked=blocked,
            loans=tuple(sorted(loans, key=lambda loan: (loan.due is None, loan.due or now))),
            holds=tuple(holds), fines=fines,
            fee_total=total if total is not None else Decimal("0"),
            currency=first.get("BH").strip(), messages=messages, fetched_at=now)
