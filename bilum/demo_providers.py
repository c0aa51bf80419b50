"""The providers the demonstration runs itself unless the operator named real ones: a mobile-money sandbox that pays
as MTN MoMo would, and a local Kannel whose handsets are the producers' phones."""

import secrets
import sys

from bilum import kannel_local, settings
from bilum.momo_sandbox_process import start


def local_kannel():
    """Unless the operator chose an SMS provider, the demo's SMS go through a Kannel of its own where Debian's
    packages are installed (bearerbox, smsbox, and fakesmsc playing the phones); otherwise to the delivery log."""
    if settings.load().sms_configured:
        return None
    missing = kannel_local.missing()
    if missing:
        print(
            f"Kannel is not installed ({missing}): SMS go to the delivery log. "
            "`bash deploy/local/ensure-tools.sh kannel` installs it.",
            file=sys.stderr,
        )
        return None
    secret = secrets.token_urlsafe(24)
    callback_url = f"{settings.load().gateway_url}/api/v1/sms/kannel"
    kannel = kannel_local.KannelGateway(settings.load().var_dir / "kannel", callback_url, secret).start()
    for name, value in (
        ("BILUM_SMS_PROVIDER", "kannel"),
        ("BILUM_KANNEL_SENDSMS_URL", kannel.sendsms_url),
        ("BILUM_KANNEL_USERNAME", kannel.username),
        ("BILUM_KANNEL_PASSWORD", kannel.password),
        ("BILUM_KANNEL_CALLBACK_URL", callback_url),
        ("BILUM_KANNEL_CALLBACK_SECRET", secret),
    ):
        settings.hand_on_unless_set(name, value)
    print(f"SMS go through a local Kannel (logs: {kannel.logs})", file=sys.stderr)
    return kannel


def mobile_money_sandbox():
    """Unless the operator named a mobile-money provider, the demo pays through a local MTN MoMo sandbox of its own,
    which reports each transfer to the gateway's callback address as MoMo would."""
    if settings.load().momo_configured:
        return None
    sandbox = start(directory=settings.load().var_dir / "momo-sandbox")
    for name, value in (
        ("BILUM_MOMO_URL", sandbox.url),
        ("BILUM_MOMO_API_USER", sandbox.api_user),
        ("BILUM_MOMO_API_KEY", sandbox.api_key),
        ("BILUM_MOMO_SUBSCRIPTION_KEY", sandbox.subscription_key),
        ("BILUM_PAYOUT_CALLBACK_URL", settings.load().gateway_url),
        ("BILUM_PAYOUT_CALLBACK_SECRET", secrets.token_urlsafe(32)),
        ("BILUM_PAYOUT_STATUS_CHECK_S", "5"),
    ):
        settings.hand_on(name, value)
    return sandbox
