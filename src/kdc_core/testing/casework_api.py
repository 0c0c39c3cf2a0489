"""A reference server for the casework JSON API, serving any backend, for tests.

``serve(backend)`` starts it on 127.0.0.1 on a free port in a thread and returns the server;
``server.url`` is the API root, ``server.shutdown()`` stops it.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from kdc_core.enquiries.backends import CaseworkBackend
from kdc_core.enquiries.rest import new_from_json, note_to_json
from kdc_core.enquiries.service import EnquiryError
from kdc_core.errors import NotFound


class ApiServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, backend: CaseworkBackend) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.backend = backend

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/api/"


class _Handler(BaseHTTPRequestHandler):
    server: ApiServer

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _send(self, status: int, data: Any) -> None:
        body = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _route(self, method: str) -> None:
        parsed = urllib.parse.urlsplit(self.path)
        parts = [urllib.parse.unquote(p) for p in parsed.path.split("/") if p]
        query = {k: v[-1] for k, v in urllib.parse.parse_qs(parsed.query).items()}
        body: dict[str, Any] = {}
        if method == "POST":
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                self._send(400, {"error": "the body is not JSON"})
                return
        backend = self.server.backend
        try:
            if parts[:2] != ["api", "enquiries"]:
                raise NotFound(f"no such resource {parsed.path}")
            rest = parts[2:]
            if method == "GET" and not rest:
                found = backend.search(
                    status=query.get("status"),
                    ward=query.get("ward"),
                    service=query.get("service"),
                    text=query.get("q"),
                    limit=int(query.get("limit", 100)),
                )
                self._send(200, {"enquiries": [e.to_json() for e in found]})
            elif method == "GET" and rest == ["overdue"]:
                today = dt.date.fromisoformat(query["today"])
                self._send(200, {"enquiries": [e.to_json() for e in backend.overdue(today)]})
            elif method == "GET" and len(rest) == 1:
                self._send(200, backend.get(rest[0]).to_json())
            elif method == "POST" and not rest:
                new = new_from_json(body.get("enquiry") or {})
                self._send(201, backend.create(new, body.get("actor") or "api").to_json())
            elif method == "POST" and len(rest) == 2 and rest[1] == "status":
                done = backend.update_status(
                    rest[0], body.get("status", ""), body.get("actor") or "api", body.get("note")
                )
                self._send(200, done.to_json())
            elif method == "POST" and len(rest) == 2 and rest[1] == "extensions":
                due = body.get("new_due")
                done = backend.extend(
                    rest[0],
                    body.get("reason") or "",
                    body.get("actor") or "api",
                    dt.date.fromisoformat(due) if due else None,
                )
                self._send(200, done.to_json())
            elif method == "POST" and len(rest) == 2 and rest[1] == "notes":
                note = backend.add_note(rest[0], body.get("body") or "", body.get("actor") or "api")
                self._send(201, note_to_json(note))
            else:
                raise NotFound(f"no such resource {method} {parsed.path}")
        except NotFound as exc:
            self._send(404, {"error": str(exc)})
        except (EnquiryError, KeyError, ValueError) as exc:
            self._send(409 if isinstance(exc, EnquiryError) else 400, {"error": str(exc)})

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")


def serve(backend: CaseworkBackend) -> ApiServer:
    server = ApiServer(backend)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
