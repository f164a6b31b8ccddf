"""E-mail through Django's mail API: one connection per batch, RFC 8058 one-click unsubscribe
headers and a link in the text, the subscriber's language.

Exactly once, as the citizen sees it. SMTP cannot make a send and a database commit one step:
committing before the message's final dot loses the message when the worker dies between the two
(measured: 1 message in 400 under load, with a worker killed mid-batch); committing after the
server's 250 repeats it when the worker dies between the 250 and the commit. A lost alert is the
worse failure, so a row is marked sent only once the server has accepted the message, and every
copy of a delivery carries the same Message-ID (`message_id`): a repeat is the same message,
which mail servers and clients collapse (Gmail, for one, shows one). Marks are committed in small
groups (channels.SentMarks), so a killed worker repeats at most a group. The claim still fences
the commit: two workers never both send a row they both hold; a worker whose
lease ran out before its commit leaves the row to the next one, which sends the same message."""
import hashlib
import re
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address

from ..messages import NoLongerDue, compose_item, is_digest
from . import SendError, SentMarks, mark_failed


def address_of(subscriber) -> str:
    return subscriber.email or (subscriber.user.email if subscriber.user_id else "")


def message_id(row) -> str:
    domain = settings.GUICHET_ICAL_DOMAIN
    if row.alert_id is None:  # a reminder
        return f"<reminder-{row.kind}-{row.pk}@{domain}>"
    return f"<alert-{row.alert.identifier}-v{row.alert_version}-{row.pk}@{domain}>"


def build(item, rendered: dict | None = None) -> EmailMessage:
    """The e-mail of an item: one row, or a digest's rows (messages.compose_item)."""
    message = compose_item(item, rendered)
    return EmailMessage(
        subject=message.subject, body=message.text, to=[address_of(item[0].subscriber)],
        headers={"List-Unsubscribe": f"<{message.unsubscribe_url}>",
                 "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                 "Auto-Submitted": "auto-generated", "Message-ID": item_message_id(item)})


def _refused(code: int, reply: bytes) -> SendError:
    return SendError(f"{code} {reply.decode(errors='replace')}", temporary=400 <= code < 500)


def _smtp_send(smtp: smtplib.SMTP, sender: str, email: EmailMessage, commit) -> None:
    """smtplib.SMTP.sendmail for one recipient, from `sender` (sanitized), with `commit()`
    called once the server has accepted the message (its 250 after the final dot); raises
    SendError when the server says no."""
    encoding = email.encoding or settings.DEFAULT_CHARSET
    [recipient] = [sanitize_address(a, encoding) for a in email.recipients()]
    data = email.message().as_bytes(linesep="\r\n")
    smtp.ehlo_or_helo_if_needed()
    code, reply = smtp.mail(sender)
    if code != 250:
        smtp.rset()
        raise _refused(code, reply)
    code, reply = smtp.rcpt(recipient)
    if code not in (250, 251):
        smtp.rset()
        raise _refused(code, reply)
    code, reply = smtp.docmd("data")
    if code != 354:
        smtp.rset()
        raise _refused(code, reply)
    data = re.sub(rb"(?m)^\.", b"..", re.sub(rb"(?:\r\n|\n|\r(?!\n))", b"\r\n", data))
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    smtp.send(data + b".\r\n")
    code, reply = smtp.getreply()
    if code != 250:
        raise _refused(code, reply)
    commit()  # the mark, committed with its group (channels.SentMarks)


def item_message_id(item) -> str:
    if not is_digest(item):
        return message_id(item[0])
    ids = "-".join(str(row.pk) for row in sorted(item, key=lambda r: r.pk))
    digest = hashlib.sha256(ids.encode()).hexdigest()[:20]
    return f"<digest-{item[0].subscriber_id}-{digest}@{settings.GUICHET_ICAL_DOMAIN}>"


def send_batch(rows, claim, digests=()) -> list:
    """Sends `rows` (claimed Delivery rows), one message each, and `digests` (lists of claimed
    rows of one subscriber), one message per list, over one connection; returns the rows
    queued again for a later attempt, with their time, as [(row, when)]."""
    with SentMarks(claim) as marks:
        return _send(rows, claim, digests, marks)


def _send(rows, claim, digests, marks: SentMarks) -> list:
    retries, rendered = [], {}

    def failed(item, error, temporary):
        for row in item:
            retries.append((row, mark_failed(row, claim, error, temporary=temporary)))

    def sent(item, provider_id=""):
        for row in item:
            marks.add(row.pk, provider_id or item_message_id(item))

    pending = [[row] for row in rows] + [list(group) for group in digests]
    connection = get_connection()
    if not isinstance(connection, SMTPBackend):
        for item in pending:
            try:
                email = build(item, rendered)
                connection.send_messages([email])
            except NoLongerDue:
                failed(item, "no longer due", False)
            except Exception as error:  # noqa: BLE001 (any backend's failure is recorded)
                failed(item, repr(error), True)
            else:
                # A provider's API (django-anymail) names the message: its delivery and bounce
                # reports will (alerts/bounces.py).
                status = getattr(email, "anymail_status", None)
                sent(item, str(status.message_id) if status and status.message_id else "")
        return [r for r in retries if r[1]]
    sender = sanitize_address(settings.DEFAULT_FROM_EMAIL, settings.DEFAULT_CHARSET)
    while pending:
        try:
            connection.open()
        except (OSError, smtplib.SMTPException) as error:
            for item in pending:
                failed(item, f"connection: {error}", True)
            break
        try:
            while pending:
                item = pending[0]
                try:
                    email = build(item, rendered)
                except NoLongerDue:
                    failed(item, "no longer due", False)
                    pending.pop(0)
                    continue
                if not address_of(item[0].subscriber):
                    failed(item, "no e-mail address", False)
                    pending.pop(0)
                    continue
                try:
                    _smtp_send(connection.connection, sender, email, lambda item=item: sent(item))
                except SendError as error:
                    failed(item, str(error), error.temporary)
                pending.pop(0)
        except (OSError, smtplib.SMTPException) as error:
            # The connection broke before the server's 250: this message is tried again later
            # (the same Message-ID if the server had in fact taken it).
            failed(pending.pop(0), f"connection: {error}", True)
        finally:
            try:
                connection.close()
            except Exception:  # noqa: BLE001, S110 (closing a broken connection)
                pass
    return [r for r in retries if r[1]]
