"""Email through a real SMTP server (aiosmtpd, in a subprocess)."""

from datetime import date, datetime, timedelta, timezone
from email import message_from_bytes, policy
from email.utils import parsedate_to_datetime

from services.notification.channels import Outgoing, SmtpEmail
from services.notification.templates import render
from tests.local_servers import SMTP_PASSWORD, SMTP_USER

SENDER = "Bilum <notifications@bilum.example.org>"


def order_confirmed(reference: str) -> Outgoing:
    rendered = render(
        "order_confirmed",
        ["fr"],
        name="Boutique Kiriko – Nouméa",
        order_id="ord_4f2a9c1d",
        units=1200,
        promised_by=date(2027, 2, 1),
    )
    return Outgoing(
        reference,
        "order_confirmed",
        rendered.subject,
        rendered.text + "\n\nTok Pisin: Tenkyu tru! Tiếng Việt: Cảm ơn 🙏",
        rendered.sms_text,
    )


def received_by(server, address):
    return [record for record in server.records() if address in record["rcpt_tos"]]


def test_an_email_arrives_with_its_headers_and_utf8_body(smtp_server, token):
    address = f"buyer-{token}@example.org"
    message = order_confirmed(f"ntf_{token}")
    before = datetime.now(timezone.utc)

    delivery = SmtpEmail(smtp_server.host, smtp_server.port, SENDER).send(address, message)

    assert delivery.ok, delivery.error
    assert before - timedelta(seconds=1) <= delivery.attempted_at <= datetime.now(timezone.utc)
    [record] = received_by(smtp_server, address)
    assert record["mail_from"] == "notifications@bilum.example.org"
    assert record["rcpt_tos"] == [address]
    assert record["tls"] is False and record["login"] is None
    email = message_from_bytes(record["content"], policy=policy.default)
    assert email["From"] == SENDER
    assert email["To"] == address
    assert email["Subject"] == "Commande ord_4f2a9c1d confirmée"
    assert email["Message-ID"] == delivery.provider_id
    assert email["Message-ID"].startswith("<") and email["Message-ID"].endswith("@bilum.example.org>")
    assert email["X-Bilum-Reference"] == f"ntf_{token}"
    assert abs(parsedate_to_datetime(email["Date"]) - delivery.attempted_at) < timedelta(seconds=1)
    assert email.get_content_type() == "text/plain"
    assert email.get_content_charset() == "utf-8"
    body = email.get_content()
    assert body.replace("\r\n", "\n").rstrip("\n") == message.text, "lines travel with CRLF endings"
    assert "Bonjour Boutique Kiriko – Nouméa" in body and "Cảm ơn 🙏" in body
    assert "lundi 1er février 2027" in body


def test_starttls_and_login_are_used_when_configured(smtp_server, certificate, token):
    address = f"aggregator-{token}@example.org"
    channel = SmtpEmail(
        smtp_server.host,
        smtp_server.port,
        SENDER,
        username=SMTP_USER,
        password=SMTP_PASSWORD,
        starttls=True,
        tls_context=certificate[2],
    )

    delivery = channel.send(address, order_confirmed(f"ntf_{token}"))

    assert delivery.ok, delivery.error
    [record] = received_by(smtp_server, address)
    assert record["tls"] is True
    assert record["login"] == SMTP_USER


def test_starttls_refuses_a_server_it_does_not_trust(smtp_server, token):
    address = f"buyer-{token}@example.org"
    channel = SmtpEmail(smtp_server.host, smtp_server.port, SENDER, starttls=True)

    delivery = channel.send(address, order_confirmed(f"ntf_{token}"))

    assert not delivery.ok and "CERTIFICATE_VERIFY_FAILED" in delivery.error
    assert received_by(smtp_server, address) == []


def test_a_wrong_password_is_a_permanent_failure(smtp_server, token):
    channel = SmtpEmail(smtp_server.host, smtp_server.port, SENDER, username=SMTP_USER, password="wrong")

    delivery = channel.send(f"buyer-{token}@example.org", order_confirmed(f"ntf_{token}"))

    assert not delivery.ok and not delivery.retryable
    assert "535" in delivery.error


def test_a_refused_recipient_is_a_permanent_failure(smtp_server, token):
    address = f"refused-{token}@example.org"

    delivery = SmtpEmail(smtp_server.host, smtp_server.port, SENDER).send(address, order_confirmed(token))

    assert not delivery.ok and not delivery.retryable
    assert "550" in delivery.error and "No such mailbox" in delivery.error
    assert delivery.provider_id is None


def test_a_busy_mailbox_is_a_temporary_failure(smtp_server, token):
    delivery = SmtpEmail(smtp_server.host, smtp_server.port, SENDER).send(
        f"busy-{token}@example.org", order_confirmed(token)
    )

    assert not delivery.ok and delivery.retryable
    assert "451" in delivery.error


def test_an_unreachable_server_is_a_temporary_failure(closed_port, token):
    delivery = SmtpEmail("127.0.0.1", closed_port, SENDER, timeout_s=2).send(
        f"buyer-{token}@example.org", order_confirmed(token)
    )

    assert not delivery.ok and delivery.retryable
    assert f"127.0.0.1:{closed_port}" in delivery.error
