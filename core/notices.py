"""The notice channel: a short text message (SMS or 알림톡) to a mobile number, through the backend
that NOTICE_BACKEND names.

- "file", the development default: each message becomes a file under NOTICE_FILE_PATH
  (VAR_DIR/notices/), as emails land in VAR_DIR/mail/.
- "http": a JSON POST to the SMS/알림톡 gateway at NOTICE_HTTP_URL, with NOTICE_HTTP_API_KEY as
  a bearer token, waiting at most NOTICE_HTTP_TIMEOUT seconds. An answer other than 2xx, or
  no answer at all, is a failure the caller records and tries again.

Every message carries an id its sender chose (`message_id`), the same on every attempt. A
worker that dies after the message went and before it recorded so leaves the message to be
sent again by a retry: the file backend then finds the message it already has and writes
nothing, and the gateway receives the same id (as `message_id` and the `Idempotency-Key`
header) to drop the repeat. That is what makes a notice go exactly once, not at least once.
"""

import json
import logging
import os
import re
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# Ids become file names: letters, digits and a few separators only.
MESSAGE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


class NoticeError(Exception):
    """A message could not be handed over; the caller records the reason and tries again later."""


def text_message_send(*, to: str, text: str, message_id: str) -> bool:
    """Send `text` to the mobile number `to` (digits only) through the configured backend.

    Return False when the message with this id was handed over before (a repeat after a
    worker died), True when it went now; raise NoticeError when it could not go.
    """
    if not MESSAGE_ID.fullmatch(message_id):
        raise ValueError(f"A message id takes letters, digits, '.', '_' and '-' only: {message_id!r}")
    if settings.NOTICE_BACKEND == "http":
        _gateway_post(to=to, text=text, message_id=message_id)
        return True
    return _file_write(to=to, text=text, message_id=message_id)


def _file_write(*, to: str, text: str, message_id: str) -> bool:
    """Write the message to `<message_id>.txt` in NOTICE_FILE_PATH, unless a message of that id is there."""
    folder = Path(settings.NOTICE_FILE_PATH)
    folder.mkdir(parents=True, exist_ok=True)
    sent_at = timezone.localtime().isoformat(timespec="seconds")
    content = f"To: {to}\nMessage-Id: {message_id}\nDate: {sent_at}\n\n{text}\n"
    # Written whole under a temporary name, then linked under its own: nobody reads half a
    # message, and the link fails when a message of this id exists (two writers included).
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder, prefix=".", suffix=".tmp", delete=False) as f:
        f.write(content)
    try:
        os.link(f.name, folder / f"{message_id}.txt")
    except FileExistsError:
        logger.info("Notice %s was handed over before; not written again", message_id)
        return False
    finally:
        os.unlink(f.name)
    return True


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Leave a redirect unfollowed, so that it fails like any answer other than 2xx.

    urllib would follow a 302 to a POST with a GET that carries no message.
    """

    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _gateway_post(*, to: str, text: str, message_id: str) -> None:
    """POST the message to the gateway as JSON; raise NoticeError unless it answers 2xx in time."""
    body = json.dumps({"to": to, "text": text, "message_id": message_id}, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json; charset=utf-8", "Idempotency-Key": message_id}
    if settings.NOTICE_HTTP_API_KEY:
        headers["Authorization"] = f"Bearer {settings.NOTICE_HTTP_API_KEY}"
    request = urllib.request.Request(settings.NOTICE_HTTP_URL, data=body, headers=headers, method="POST")
    # The errors name neither the address nor the key: they are shown to staff.
    try:
        with _opener.open(request, timeout=settings.NOTICE_HTTP_TIMEOUT) as response:
            response.read()
    except urllib.error.HTTPError as error:
        raise NoticeError(_("The text message gateway answered %(status)s.") % {"status": error.code}) from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", None) or error
        raise NoticeError(_("The text message gateway could not be reached: %(reason)s") % {"reason": reason}) from None
