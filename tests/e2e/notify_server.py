"""A local stand-in for GOV.UK Notify's v2 notifications API, for contract tests.

Implements what Notify documents for ``POST /v2/notifications/email`` and ``/sms``: a bearer
JWT (HS256, ``iss`` = the service id, ``iat`` within 30 seconds of the server's clock, checked
with PyJWT rather than our own code), the request bodies' required fields and types, the
template's placeholders (a missing one is a 400 ``BadRequestError: Missing personalisation``),
201 answers shaped as Notify's, and its error body ``{"status_code", "errors": [{"error",
"message"}]}``. ``fail_next`` queues status codes to answer first (429, 500 …).
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt

SERVICE_ID = "6a7f1c5e-2b4d-4e8f-9a1b-3c5d7e9f1a2b"
SECRET = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
API_KEY = f"kdc_test-{SERVICE_ID}-{SECRET}"
EMAIL_TEMPLATE = "11111111-2222-4333-8444-555555555555"
SMS_TEMPLATE = "99999999-8888-4777-8666-555555555555"
TEMPLATES = {
    EMAIL_TEMPLATE: ("email", "((subject))", "((body))"),
    SMS_TEMPLATE: ("sms", None, "((body))"),
}
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"\+?[0-9 ]{10,16}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class Notify:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.requests = 0
        self.fail_next: list[int] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        port = self.server.server_address[1]
        return f"http://127.0.0.1:{port}"

    def __enter__(self) -> Notify:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        notify = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def answer(self, code: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def error(self, code: int, kind: str, message: str) -> None:
                self.answer(
                    code, {"status_code": code, "errors": [{"error": kind, "message": message}]}
                )

            def do_POST(self) -> None:
                notify.requests += 1
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                if notify.fail_next:
                    code = notify.fail_next.pop(0)
                    kind = {429: "RateLimitError", 500: "Exception"}.get(code, "Error")
                    return self.error(code, kind, f"simulated {code}")
                refused = authenticate(self.headers.get("Authorization"))
                if refused is not None:
                    return self.error(*refused)
                path_kind = {
                    "/v2/notifications/email": "email",
                    "/v2/notifications/sms": "sms",
                }.get(self.path)
                if path_kind is None:
                    return self.error(404, "Not found", "The requested URL was not found")
                try:
                    body = json.loads(raw)
                except ValueError:
                    return self.error(400, "ValidationError", "Invalid JSON supplied in POST data")
                problem = validate(path_kind, body)
                if problem is not None:
                    return self.error(400, *problem)
                notify.sent.append({"kind": path_kind, **body})
                self.answer(201, created(path_kind, body, self.headers.get("Host", "")))

        return Handler


def authenticate(header: str | None) -> tuple[int, str, str] | None:
    if not header or not header.startswith("Bearer "):
        return 401, "AuthError", "Unauthorized: authentication token must be provided"
    token = header.removeprefix("Bearer ")
    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return 403, "AuthError", "Invalid token: signature, api token is not valid"
    if unverified.get("iss") != SERVICE_ID:
        return 403, "AuthError", "Invalid token: service not found"
    try:
        claims = jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_iat": False})
    except jwt.PyJWTError:
        return 403, "AuthError", "Invalid token: signature, api token not found"
    if not isinstance(claims.get("iat"), int) or abs(time.time() - claims["iat"]) > 30:
        return 403, "AuthError", "Error: Your system clock must be accurate to within 30 seconds"
    return None


def validate(kind: str, body: Any) -> tuple[str, str] | None:
    if not isinstance(body, dict):
        return "ValidationError", "body must be an object"
    field = "email_address" if kind == "email" else "phone_number"
    pattern = _EMAIL if kind == "email" else _PHONE
    for name in (field, "template_id"):
        if name not in body:
            return "ValidationError", f"{name} is a required property"
    if not isinstance(body[field], str) or not pattern.fullmatch(body[field]):
        return "ValidationError", f"{field} Not a valid {kind}"
    if not _UUID.fullmatch(str(body["template_id"])):
        return "ValidationError", "template_id is not a valid UUID"
    template = TEMPLATES.get(body["template_id"])
    if template is None or template[0] != kind:
        return "BadRequestError", "Template not found"
    personalisation = body.get("personalisation", {})
    if not isinstance(personalisation, dict):
        return "ValidationError", "personalisation should be an object"
    if "reference" in body and not isinstance(body["reference"], str):
        return "ValidationError", "reference is not of type string"
    needed = set(re.findall(r"\(\((\w+)\)\)", "".join(t for t in template[1:] if t)))
    missing = sorted(needed - set(personalisation))
    if missing:
        return "BadRequestError", f"Missing personalisation: {', '.join(missing)}"
    return None


def created(kind: str, body: dict[str, Any], host: str) -> dict[str, Any]:
    _, subject, text = TEMPLATES[body["template_id"]]
    values = body.get("personalisation", {})

    def fill(template: str) -> str:
        return re.sub(r"\(\((\w+)\)\)", lambda m: str(values[m[1]]), template)

    ident = str(uuid.uuid4())
    content: dict[str, Any] = {"body": fill(text)}
    if kind == "email":
        content |= {
            "subject": fill(subject or ""),
            "from_email": "kirklees@notifications.service.gov.uk",
        }
    else:
        content |= {"from_number": "GOVUK"}
    return {
        "id": ident,
        "reference": body.get("reference"),
        "content": content,
        "uri": f"http://{host}/v2/notifications/{ident}",
        "template": {
            "id": body["template_id"],
            "version": 1,
            "uri": f"http://{host}/v2/template/{body['template_id']}",
        },
    }
