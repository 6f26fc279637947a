"""Email through the municipality's SMTP server (aiosmtplib): plain text, HTML, and the
invitation as a text/calendar part that calendar apps act on."""

from __future__ import annotations

import re
from email.message import EmailMessage
from email.utils import make_msgid
from html import unescape

import aiosmtplib

from bot.domain.privacy import redact
from bot.settings import Settings

_TAG = re.compile(r"<[^>]+>")


class MailError(Exception):
    """The message could not be handed to the mail server (worth trying again later). Its
    text names no address: a refusal quotes the recipient."""


class MailRefused(MailError):
    """The mail server refused the message for good (5xx): trying again changes nothing."""


def plain(html: str) -> str:
    """The text of a Telegram HTML message, for the plain-text part."""
    return unescape(_TAG.sub("", html))


def as_html(html: str) -> str:
    body = html.replace("\n", "<br>\n")
    return f'<!doctype html><html><body style="font-family:sans-serif">{body}</body></html>'


def build(settings: Settings, to: str, subject: str, html: str, ics: bytes | None = None,
          method: str = "REQUEST", filename: str = "invitation.ics") -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.SMTP_SENDER
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="rantevou")
    message.set_content(plain(html))
    message.add_alternative(as_html(html), subtype="html")
    if ics is not None:
        text = ics.decode("utf-8")
        message.add_alternative(text, subtype="calendar", params={"method": method})
        message.add_attachment(ics, maintype="application", subtype="ics", filename=filename)
    return message


async def send(settings: Settings, message: EmailMessage) -> None:
    security = settings.SMTP_SECURITY
    try:
        await aiosmtplib.send(
            message,
            hostname=settings.SMTP_HOST,
            port=settings.SMTP_PORT,
            username=settings.SMTP_USERNAME or None,
            password=settings.SMTP_PASSWORD or None,
            use_tls=security == "tls",
            start_tls=security == "starttls",
            timeout=30,
        )
    except aiosmtplib.SMTPRecipientsRefused as error:
        codes = [refusal.code for refusal in error.recipients]
        said = "; ".join(f"{r.code} {r.message}" for r in error.recipients)
        kind = MailRefused if codes and min(codes) >= 500 else MailError
        raise kind(redact(f"recipient refused: {said}")) from None
    except (aiosmtplib.SMTPRecipientRefused, aiosmtplib.SMTPDataError) as error:
        kind = MailRefused if error.code >= 500 else MailError
        raise kind(redact(f"refused: {error.code} {error.message}")) from None
    except aiosmtplib.SMTPResponseException as error:
        raise MailError(redact(f"{type(error).__name__}: {error.code} {error.message}")) \
            from None
    except (aiosmtplib.SMTPException, OSError) as error:
        raise MailError(redact(f"{type(error).__name__}: {error}")) from None
