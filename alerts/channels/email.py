"""E-mail through Django's mail API: one connection per batch, RFC 8058 one-click unsubscribe
headers and a link in the text, the subscriber's language.

Exactly once over SMTP. With Django's SMTP backend the message's end (the lone "." after the
DATA) is sent only after its row is committed as sent: a worker killed before that commit leaves
an SMTP transaction the server drops unfinished (RFC 5321 §4.1.1.4) and a row still queued,
which a later attempt sends; killed after it, the message is complete but for the final dot,
which goes out next. The commit is fenced by the claim (channels.mark_sent), so two workers never
both finish one message. Another backend (an anymail provider, the console) sends then commits:
at least once, with a Message-ID that names the delivery, so a receiver can drop a repeat."""
import re
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address

from ..messages import compose
from . import SendError, mark_failed, mark_sent


def address_of(subscriber) -> str:
    return subscriber.email or (subscriber.user.email if subscriber.user_id else "")


def message_id(row) -> str:
    domain = settings.GUICHET_ICAL_DOMAIN
    return f"<alert-{row.alert.identifier}-v{row.alert_version}-{row.pk}@{domain}>"


def build(row) -> EmailMessage:
    message = compose(row)
    return EmailMessage(
        subject=message.subject, body=message.text, to=[address_of(row.subscriber)],
        headers={"List-Unsubscribe": f"<{message.unsubscribe_url}>",
                 "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                 "Auto-Submitted": "auto-generated", "Message-ID": message_id(row)})


def _refused(code: int, reply: bytes) -> SendError:
    return SendError(f"{code} {reply.decode(errors='replace')}", temporary=400 <= code < 500)


def _smtp_send(smtp: smtplib.SMTP, email: EmailMessage, commit) -> None:
    """smtplib.SMTP.sendmail for one recipient, with `commit()` called before the final dot;
    raises SendError (the server said no before the commit), _AfterCommit (it said no after),
    _Fenced (commit() returned False: the connection is closed, nothing was sent)."""
    encoding = email.encoding or settings.DEFAULT_CHARSET
    sender = sanitize_address(email.from_email, encoding)
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
    smtp.send(data)
    if not commit():
        smtp.close()  # the unfinished DATA is dropped by the server
        raise _Fenced
    smtp.send(b".\r\n")
    code, reply = smtp.getreply()
    if code != 250:
        raise _AfterCommit(_refused(code, reply))


class _Fenced(Exception):
    pass


class _AfterCommit(Exception):
    def __init__(self, error: SendError):
        super().__init__(str(error))
        self.error = error


def send_batch(rows, claim) -> list:
    """Sends `rows` (claimed Delivery rows) over one connection; returns the rows queued again
    for a later attempt, with their time, as [(row, when)]."""
    retries = []
    connection = get_connection()
    if not isinstance(connection, SMTPBackend):
        for row in rows:
            try:
                email = build(row)
                connection.send_messages([email])
            except Exception as error:  # noqa: BLE001 (any backend's failure is recorded)
                retries.append((row, mark_failed(row, claim, repr(error), temporary=True)))
            else:
                mark_sent(row.pk, claim, message_id(row))
        return [r for r in retries if r[1]]
    pending = list(rows)
    while pending:
        try:
            connection.open()
        except (OSError, smtplib.SMTPException) as error:
            for row in pending:
                retries.append((row, mark_failed(row, claim, f"connection: {error}",
                                                 temporary=True)))
            break
        try:
            while pending:
                row = pending[0]
                email = build(row)
                if not address_of(row.subscriber):
                    mark_failed(row, claim, "no e-mail address", temporary=False)
                    pending.pop(0)
                    continue
                try:
                    _smtp_send(connection.connection, email,
                               lambda row=row: mark_sent(row.pk, claim, message_id(row)))
                except SendError as error:
                    retries.append((row, mark_failed(row, claim, str(error),
                                                     temporary=error.temporary)))
                except _AfterCommit as refused:
                    retries.append((row, mark_failed(row, claim, str(refused.error),
                                                     temporary=refused.error.temporary,
                                                     after_sent=True)))
                except _Fenced:
                    pending.pop(0)
                    break  # reconnect for the others
                pending.pop(0)
        except (OSError, smtplib.SMTPException) as error:
            # The connection broke: this message is not finished (no dot), try it again later;
            # a row already committed as sent whose dot may not have gone out stays sent.
            row = pending.pop(0)
            retries.append((row, mark_failed(row, claim, f"connection: {error}", temporary=True)))
        finally:
            try:
                connection.close()
            except Exception:  # noqa: BLE001, S110 (closing a broken connection)
                pass
    return [r for r in retries if r[1]]
