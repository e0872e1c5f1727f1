#!/usr/bin/python3
"""Scriptable test backend for pganalytics: a stand-in for the pgAnalytics v3 backend.

It serves the backend's HTTP contract (shared/handbook/backend-api.md): health, collector
registration, token refresh, metrics push and config pull, with HS256 collector JWTs, the same
status codes and the same {"code","message","details"} error bodies. It keeps a ledger of every
accepted push (batch_id, sequence, sizes, duplicates) so fault tests can prove
lost = created - accepted - counted drops = 0, and it can be scripted through a separate
plain-HTTP control port on loopback to refuse connections, hang, trickle, reset, answer
4xx/5xx/429 with Retry-After, commit a batch and then drop the socket, return garbage, huge
bodies or redirects, and expire tokens. Python 3.11 standard library only; see README.md.
"""

import argparse
import base64
import binascii
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import select
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zlib
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

LOG = logging.getLogger("pga-test-backend")

VERSION = "3.0.0-test"
API = "/api/v1"
HOST = "127.0.0.1"
DEFAULT_REGISTRATION_SECRET = "test-registration-secret"
DEFAULT_STATIC_COLLECTOR_ID = "00000000-0000-4000-8000-000000000001"
NEXT_CHECK_IN_SECONDS = 300
JSON_TYPE = "application/json; charset=utf-8"
RFC3339_RE = re.compile(
    r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))$")
DEFAULT_GARBAGE = b"<html><body>502 proxy says hello</body></html>\n{\"status\":"
REDACTED = "<redacted>"


# --------------------------------------------------------------------------- small helpers

def rfc3339(ts=None):
    """UTC RFC3339 timestamp with second precision, e.g. 2026-02-26T10:00:00Z."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() if ts is None else ts))


def is_rfc3339(value):
    """True when value is an RFC3339 date-time as Go's time.RFC3339 parser accepts it."""
    match = RFC3339_RE.match(value)
    if not match:
        return False
    try:
        datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        return False
    return match.group(4) is None or (int(match.group(4)) < 24 and int(match.group(5)) < 60)


def b64url_encode(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"), sort_keys=False).encode("utf-8")


def _reject_constant(name):
    raise ValueError(f"invalid JSON constant {name}")


def loads_strict(data):
    """Parse JSON the way Go does: no NaN/Infinity, UTF-8 only."""
    return json.loads(data, parse_constant=_reject_constant)


def status_phrase(status):
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def header_safe(value):
    """Header values come from test scripts: never let them split the response."""
    return str(value).replace("\r", " ").replace("\n", " ")


# --------------------------------------------------------------------------- HTTP values

class HttpError(Exception):
    """Raised by a route to answer with an error body {"code","message","details"}."""

    def __init__(self, status, message, details=""):
        super().__init__(message)
        self.status, self.message, self.details = status, message, details


class BodyError(Exception):
    """The request body could not be read as sent (bad framing, too large)."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class ClientGone(Exception):
    """The peer closed, reset or timed out while we read or wrote."""


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = JSON_TYPE
    headers: dict = field(default_factory=dict)
    record: dict | None = None  # ledger record when this response accepted a push


@dataclass
class Request:
    method: str
    path: str
    query: dict
    headers: object  # http.client.HTTPMessage: case-insensitive get()
    entry: dict      # this request's entry in the request log
    body: bytes = b""
    resp: Response | None = None


def json_response(status, obj, headers=None):
    return Response(status, dumps(obj), JSON_TYPE, dict(headers or {}))


def error_response(status, message, details=""):
    return json_response(status, {"code": status, "message": message, "details": details})


# --------------------------------------------------------------------------- tokens

class TokenError(Exception):
    pass


class TokenIssuer:
    """Issues and verifies HS256 collector JWTs; remembers issued tokens so a fault can expire them."""

    def __init__(self, secret, ttl):
        self._secret = secret
        self.ttl = ttl
        self._lock = threading.Lock()
        self._issued = set()
        self._revoked = set()

    def issue(self, collector_id, hostname, ttl=None):
        now = int(time.time())
        exp = now + (self.ttl if ttl is None else ttl)
        claims = {"collector_id": collector_id, "hostname": hostname, "type": "access",
                  "exp": exp, "iat": now, "nbf": now, "sub": f"collector:{collector_id}",
                  "jti": uuid.uuid4().hex}  # unique, so expire_tokens never hits a later token
        token = self._sign(claims)
        with self._lock:
            self._issued.add(token)
        return token, exp

    def verify(self, token):
        """Return the claims of a valid access token, else raise TokenError."""
        claims = self._decode(token)
        now = time.time()
        exp, nbf = claims.get("exp"), claims.get("nbf")
        if not isinstance(exp, (int, float)) or now > exp:
            raise TokenError("token is expired")
        if isinstance(nbf, (int, float)) and now < nbf:
            raise TokenError("token is not valid yet")
        if claims.get("type") != "access" or not isinstance(claims.get("collector_id"), str):
            raise TokenError("invalid token claims")
        with self._lock:
            if token in self._revoked:
                raise TokenError("token is expired")
        return claims

    def expire_all(self):
        """Make every token issued so far invalid, as if expired. Returns how many."""
        with self._lock:
            count = len(self._issued)
            self._revoked |= self._issued
            self._issued = set()
        return count

    def _sign(self, claims):
        header = b64url_encode(dumps({"alg": "HS256", "typ": "JWT"}))
        signing_input = f"{header}.{b64url_encode(dumps(claims))}"
        signature = hmac.new(self._secret, signing_input.encode("ascii"), hashlib.sha256).digest()
        return f"{signing_input}.{b64url_encode(signature)}"

    def _decode(self, token):
        parts = token.split(".")
        if len(parts) != 3:
            raise TokenError("token is malformed")
        try:
            header = loads_strict(b64url_decode(parts[0]))
            claims = loads_strict(b64url_decode(parts[1]))
            signature = b64url_decode(parts[2])
        except (ValueError, binascii.Error, RecursionError):
            raise TokenError("token is malformed") from None
        if not isinstance(header, dict) or header.get("alg") != "HS256":
            raise TokenError("unexpected signing method")
        expected = hmac.new(self._secret, f"{parts[0]}.{parts[1]}".encode("ascii"),
                            hashlib.sha256).digest()
        if not hmac.compare_digest(signature, expected):
            raise TokenError("signature is invalid")
        if not isinstance(claims, dict):
            raise TokenError("token is malformed")
        return claims


# --------------------------------------------------------------------------- ledger

class Ledger:
    """What the backend accepted and answered: the ground truth fault tests compare against."""

    def __init__(self, keep_bodies, keep_requests):
        self._lock = threading.Lock()
        self._keep_bodies = keep_bodies
        self._keep_requests = keep_requests
        self.reset()

    def reset(self):
        with self._lock:
            self._accepted = []
            self._batch_counts = Counter()
            self._duplicate_ids = []
            self._status = Counter()
            self._status_by_path = {}
            self._counters = Counter()
            self._collectors = []
            self._bodies = deque(maxlen=self._keep_bodies)
            self._requests = deque(maxlen=self._keep_requests)
            self._request_seq = 0

    def record_push(self, doc, wire_bytes, decoded_bytes, encoding):
        """Record an accepted push; returns the (mutable) ledger record."""
        metrics = doc.get("metrics") or []
        batch_id = doc.get("batch_id")
        key = batch_id if isinstance(batch_id, str) and batch_id else None
        types = Counter(m["type"] for m in metrics if isinstance(m, dict) and "type" in m)
        record = {
            "time": time.time(), "batch_id": batch_id, "sequence": doc.get("sequence"),
            "collector_id": doc.get("collector_id"), "hostname": doc.get("hostname"),
            "timestamp": doc.get("timestamp"), "metrics_count": doc.get("metrics_count"),
            "metrics_len": len(metrics), "types": dict(types), "bytes": wire_bytes,
            "decoded_bytes": decoded_bytes, "content_encoding": encoding or None,
            "duplicate": False, "response": "pending",
        }
        with self._lock:
            record["index"] = len(self._accepted)
            if key is not None:
                record["duplicate"] = self._batch_counts[key] > 0
                self._batch_counts[key] += 1
                if record["duplicate"]:
                    self._duplicate_ids.append(key)
            self._accepted.append(record)
            self._bodies.append({"index": record["index"], "batch_id": batch_id, "body": doc})
        return record

    def add_collector(self, info):
        with self._lock:
            self._collectors.append(info)

    def count(self, name, amount=1):
        with self._lock:
            self._counters[name] += amount

    def note_status(self, path, status):
        """Count what a data-port request got back; None means no HTTP response at all."""
        key = "none" if status is None else str(status)
        with self._lock:
            self._status[key] += 1
            self._status_by_path.setdefault(path, Counter())[key] += 1

    def start_request(self, entry):
        with self._lock:
            self._request_seq += 1
            entry["id"] = self._request_seq
            self._requests.append(entry)
        return entry

    def snapshot(self, summary=False):
        with self._lock:
            accepted = [dict(r) for r in self._accepted]
            snap = {
                "accepted_count": len(accepted),
                "unique_batch_ids": len(self._batch_counts),
                "duplicates": len(self._duplicate_ids),
                "duplicate_batch_ids": list(self._duplicate_ids),
                "without_batch_id": sum(1 for r in accepted
                                        if not isinstance(r["batch_id"], str) or not r["batch_id"]),
                "metrics_total": sum(r["metrics_len"] for r in accepted),
                "status_counts": dict(self._status),
                "status_by_path": {p: dict(c) for p, c in self._status_by_path.items()},
                "no_response": self._status.get("none", 0),
                "register_count": self._counters["register"],
                "refresh_count": self._counters["refresh"],
                "tls_handshake_failures": self._counters["tls_handshake_failures"],
                "requests_total": self._request_seq,
                "collectors": list(self._collectors),
            }
        if not summary:
            snap["accepted"] = accepted
        return snap

    def requests(self, limit):
        with self._lock:
            items = [dict(e) for e in self._requests]
        return items[-limit:] if limit else items

    def bodies(self, limit):
        with self._lock:
            items = list(self._bodies)
        return items[-limit:] if limit else items


# --------------------------------------------------------------------------- faults

IMMEDIATE_MODES = {"refuse", "expire_tokens"}
REQUEST_MODES = {"status", "hang", "slow", "delay", "reset", "commit_then_drop",
                 "garbage", "huge", "redirect"}
COMMITTING_MODES = {"slow", "delay", "commit_then_drop"}
FAULT_DEFAULTS = {
    "hang": {"seconds": 3600.0},
    "slow": {"interval": 1.0, "chunk": 1},
    "delay": {"seconds": 5.0},
    "huge": {"bytes": 50 * 1024 * 1024, "chunked": False},
    "redirect": {"status": 302, "location": "http://127.0.0.1:9/redirected"},
    "garbage": {"status": 200},
}
NUMBER_PARAMS = ("seconds", "interval")
INT_PARAMS = ("status", "bytes", "chunk", "after_bytes")


class FaultError(ValueError):
    pass


@dataclass
class Fault:
    fid: int
    mode: str
    count: int
    path: str | None
    method: str | None
    params: dict
    hits: int = 0
    released: threading.Event = field(default_factory=threading.Event)

    def matches(self, method, path):
        return ((self.path is None or path.startswith(self.path))
                and (self.method is None or method == self.method))

    def commits(self):
        """Whether the request is processed normally (and a push recorded) before the fault."""
        return self.mode in COMMITTING_MODES or bool(self.params.get("commit"))

    def to_json(self):
        return {"id": self.fid, "mode": self.mode, "count": self.count, "path": self.path,
                "method": self.method, "hits": self.hits, **self.params}


def _check_number(params, name, kind, label):
    value = params[name]
    if isinstance(value, bool) or not isinstance(value, kind) or value < 0:
        raise FaultError(f"'{name}' must be a non-negative {label}")


def parse_fault(spec, fid):
    """Validate one fault script from the control API and turn it into a Fault."""
    if not isinstance(spec, dict):
        raise FaultError("a fault must be a JSON object")
    params = dict(spec)
    mode = params.pop("mode", None)
    if mode not in IMMEDIATE_MODES | REQUEST_MODES:
        raise FaultError(f"unknown mode {mode!r}; one of {sorted(IMMEDIATE_MODES | REQUEST_MODES)}")
    count = params.pop("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or count == 0 or count < -1:
        raise FaultError("'count' must be a positive integer or -1")
    path = params.pop("path", None)
    method = params.pop("method", None)
    if path is not None and (not isinstance(path, str) or not path.startswith("/")):
        raise FaultError("'path' must be a string starting with /")
    if method is not None and not isinstance(method, str):
        raise FaultError("'method' must be a string")
    params = {**FAULT_DEFAULTS.get(mode, {}), **params}
    for name in NUMBER_PARAMS:
        if params.get(name) is not None:
            _check_number(params, name, (int, float), "number")
    for name in INT_PARAMS:
        if name in params:
            _check_number(params, name, int, "integer")
    _check_mode_params(mode, params)
    return Fault(fid, mode, count, path, method.upper() if method else None, params)


def _check_mode_params(mode, params):
    if mode == "status" and not 100 <= params.get("status", 0) <= 599:
        raise FaultError("mode 'status' needs \"status\": 100..599")
    if mode == "redirect" and not 300 <= params["status"] <= 399:
        raise FaultError("mode 'redirect' needs a 3xx status")
    if mode == "slow" and params["chunk"] < 1:
        raise FaultError("'chunk' must be at least 1")
    if "retry_after" in params:
        params["retry_after"] = str(params["retry_after"])
    if not isinstance(params.get("headers", {}), dict):
        raise FaultError("'headers' must be an object")


class FaultQueue:
    """Pending request faults, applied first-match-first (FIFO) to data-port requests."""

    def __init__(self):
        self._lock = threading.Lock()
        self._pending = []
        self._live = []  # every fault since the last clear, so clear can release hangs
        self._next_id = 1

    def new_id(self):
        with self._lock:
            fid, self._next_id = self._next_id, self._next_id + 1
        return fid

    def add(self, fault):
        with self._lock:
            self._pending.append(fault)
            self._live.append(fault)

    def take(self, method, path):
        with self._lock:
            for fault in self._pending:
                if fault.matches(method, path):
                    fault.hits += 1
                    if fault.count > 0:
                        fault.count -= 1
                        if fault.count == 0:
                            self._pending.remove(fault)
                    return fault
        return None

    def clear(self):
        with self._lock:
            removed = [f.to_json() for f in self._pending]
            live, self._pending, self._live = self._live, [], []
        for fault in live:
            fault.released.set()
        return removed

    def pending(self):
        with self._lock:
            return [f.to_json() for f in self._pending]


# --------------------------------------------------------------------------- the backend

class ConfigSource:
    """The TOML served on GET /api/v1/config/<id>; its version goes up when the file changes."""

    def __init__(self, path):
        self.path = path
        self.version = 0
        self._digest = None
        self._lock = threading.Lock()

    def read(self):
        if not self.path:
            return None
        try:
            with open(self.path, "rb") as handle:
                data = handle.read()
        except OSError:
            return None
        digest = hashlib.sha256(data).digest()
        with self._lock:
            if digest != self._digest:
                self._digest, self.version = digest, self.version + 1
            return data, self.version

    def current_version(self):
        self.read()
        return self.version or 1


def fake_pem(label):
    body = base64.encodebytes(secrets.token_bytes(480)).decode("ascii")
    return f"-----BEGIN {label}-----\n{body}-----END {label}-----\n"


def make_collector_pem(cert_path=None, key_path=None):
    """Certificate and key handed out on registration: given files, a fresh openssl pair, or fakes."""
    if cert_path and key_path:
        with open(cert_path, encoding="utf-8") as cert, open(key_path, encoding="utf-8") as key:
            return cert.read(), key.read()
    try:
        with tempfile.TemporaryDirectory(prefix="pga-test-backend-") as tmp:
            crt, key = os.path.join(tmp, "c.crt"), os.path.join(tmp, "c.key")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                            "ec_paramgen_curve:prime256v1", "-nodes", "-days", "30",
                            "-subj", "/CN=pganalytics-test-collector", "-keyout", key, "-out", crt],
                           check=True, capture_output=True, timeout=30)
            with open(crt, encoding="utf-8") as c, open(key, encoding="utf-8") as k:
                return c.read(), k.read()
    except (OSError, subprocess.SubprocessError):
        return fake_pem("CERTIFICATE"), fake_pem("PRIVATE KEY")


class Backend:
    """The API routes and the state they share; routes return Responses and never write sockets."""

    def __init__(self, args):
        self.args = args
        self.started = time.time()
        jwt_secret = (args.jwt_secret or secrets.token_hex(32)).encode("utf-8")
        self.tokens = TokenIssuer(jwt_secret, args.token_ttl)
        self.ledger = Ledger(args.keep_bodies, args.keep_requests)
        self.faults = FaultQueue()
        self.config = ConfigSource(args.config_toml)
        self.healthy = True
        self.stopping = threading.Event()
        self.listener = None
        self._pem = None
        self._pem_lock = threading.Lock()
        self._refuse_lock = threading.Lock()
        self._refuse_timer = None

    # ---- dispatch
    def route(self, req):
        try:
            return self._route(req)
        except HttpError as err:
            return error_response(err.status, err.message, err.details)

    def _route(self, req):
        routes = {
            ("GET", API + "/health"): self.health,
            ("POST", API + "/collectors/register"): self.register,
            ("POST", API + "/collectors/refresh-token"): self.refresh,
            ("POST", API + "/metrics/push"): self.push,
        }
        handler = routes.get((req.method, req.path))
        if handler:
            return handler(req)
        config_prefix = API + "/config/"
        if req.method == "GET" and req.path.startswith(config_prefix) and len(req.path) > len(config_prefix):
            return self.get_config(req, req.path[len(config_prefix):])
        raise HttpError(404, "Not found", f"no route for {req.method} {req.path}")

    # ---- routes
    def health(self, _req):
        ok = self.healthy
        body = {"status": "ok" if ok else "degraded", "version": VERSION,
                "timestamp": rfc3339(), "uptime": int(time.time() - self.started),
                "database_ok": ok, "timescale_ok": ok}
        return json_response(200 if ok else 503, body)

    def register(self, req):
        secret = req.headers.get("X-Registration-Secret") or ""
        if not secret:
            raise HttpError(401, "Registration secret required", "missing X-Registration-Secret header")
        if not hmac.compare_digest(secret.encode("utf-8", "replace"),
                                   self.args.registration_secret.encode("utf-8")):
            raise HttpError(401, "Invalid registration secret")
        doc = self.parse_body(req, "Invalid request")
        require_strings(doc, ("name", "hostname"), "Invalid request")
        optional_strings(doc, ("version", "address"), "Invalid request")
        collector_id = str(uuid.uuid4())
        token, exp = self.tokens.issue(collector_id, doc["hostname"])
        certificate, private_key = self.collector_pem()
        self.ledger.add_collector({"collector_id": collector_id, "name": doc["name"],
                                   "hostname": doc["hostname"], "version": doc.get("version"),
                                   "registered_at": rfc3339()})
        self.ledger.count("register")
        return json_response(200, {"collector_id": collector_id, "token": token,
                                   "certificate": certificate, "private_key": private_key,
                                   "expires_at": rfc3339(exp)})

    def refresh(self, req):
        claims = self.authenticate(req, allow_static=False)
        token, exp = self.tokens.issue(claims["collector_id"], claims.get("hostname", ""))
        self.ledger.count("refresh")
        return json_response(200, {"token": token, "expires_at": rfc3339(exp)})

    def push(self, req):
        started = time.monotonic()
        claims = self.authenticate(req)
        data = self.decode_body(req)
        doc = parse_json_object(data, "Invalid metrics data")
        require_strings(doc, ("collector_id", "hostname", "timestamp"), "Invalid metrics data")
        optional_strings(doc, ("version",), "Invalid metrics data")
        if not is_rfc3339(doc["timestamp"]):
            raise HttpError(400, "Invalid metrics data", "timestamp is not RFC3339")
        metrics_count = doc.get("metrics_count")
        if metrics_count is not None and (isinstance(metrics_count, bool)
                                          or not isinstance(metrics_count, int)):
            raise HttpError(400, "Invalid metrics data", "metrics_count must be an integer")
        metrics = doc.get("metrics")
        if metrics is not None and not isinstance(metrics, list):
            raise HttpError(400, "Invalid metrics data", "metrics must be an array")
        if claims["collector_id"] != doc["collector_id"]:
            raise HttpError(401, "Collector ID mismatch")
        for metric in metrics or []:
            if isinstance(metric, dict) and "type" in metric and not isinstance(metric["type"], str):
                raise HttpError(500, "Internal server error",
                                "interface conversion: metric type is not a string")
        record = self.ledger.record_push(doc, len(req.body), len(data),
                                         req.headers.get("Content-Encoding"))
        length = req.headers.get("Content-Length")
        resp = json_response(200, {
            "status": "success", "collector_id": doc["collector_id"],
            "metrics_inserted": count_query_rows(metrics or []),
            "bytes_received": int(length) if length and length.strip().isdigit() else -1,
            "processing_time_ms": int((time.monotonic() - started) * 1000),
            "next_config_version": self.config.current_version(),
            "next_check_in_seconds": NEXT_CHECK_IN_SECONDS,
        })
        resp.record = record
        return resp

    def get_config(self, req, collector_id):
        claims = self.authenticate(req)
        if not self.args.config_allow_collector:
            raise HttpError(401, "Unauthorized", "config pull needs a user login")
        if claims["collector_id"] != collector_id:
            raise HttpError(401, "Collector ID mismatch")
        found = self.config.read()
        if found is None:
            raise HttpError(404, "Configuration not found", f"no config for collector {collector_id}")
        data, version = found
        return Response(200, data, "text/plain", {"X-Config-Version": str(version)})

    # ---- route helpers
    def authenticate(self, req, allow_static=True):
        """Claims of the request's bearer token; HttpError 401 when missing, invalid or expired."""
        header = (req.headers.get("Authorization") or "").strip()
        if not header:
            raise HttpError(401, "Authorization header required")
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise HttpError(401, "Invalid authorization header format")
        static = self.args.static_token
        if allow_static and static and hmac.compare_digest(token.encode("utf-8", "replace"),
                                                           static.encode("utf-8")):
            return {"collector_id": self.args.static_collector_id, "hostname": "", "static": True}
        try:
            return self.tokens.verify(token)
        except TokenError as err:
            raise HttpError(401, "Invalid or expired token", str(err)) from None

    def decode_body(self, req):
        """The request body after Content-Encoding; gzip only with --accept-gzip."""
        encoding = (req.headers.get("Content-Encoding") or "").strip().lower()
        if encoding in ("", "identity"):
            return req.body
        if encoding == "gzip" and self.args.accept_gzip:
            try:
                return gunzip_limited(req.body, self.args.max_body)
            except (OSError, EOFError, zlib.error, ValueError) as err:
                raise HttpError(400, "Invalid request body", f"gzip: {err}") from None
        raise HttpError(400, "Invalid request body", f"unsupported Content-Encoding {encoding!r}")

    def parse_body(self, req, message):
        return parse_json_object(self.decode_body(req), message)

    def collector_pem(self):
        with self._pem_lock:
            if self._pem is None:
                self._pem = make_collector_pem(self.args.collector_cert, self.args.collector_key)
            return self._pem

    # ---- state changes driven by the control API
    def start_refuse(self, seconds):
        with self._refuse_lock:
            self._cancel_refuse_timer()
            self.listener.close(drop_connections=True)
            if seconds:
                self._refuse_timer = threading.Timer(seconds, self.end_refuse)
                self._refuse_timer.daemon = True
                self._refuse_timer.start()

    def end_refuse(self):
        with self._refuse_lock:
            self._cancel_refuse_timer()
            if not self.stopping.is_set():
                self.listener.open()

    def _cancel_refuse_timer(self):
        if self._refuse_timer is not None:
            self._refuse_timer.cancel()
            self._refuse_timer = None

    def clear_faults(self):
        removed = self.faults.clear()
        self.end_refuse()
        return removed

    def reset(self):
        self.clear_faults()
        self.ledger.reset()
        self.healthy = True
        self.tokens.ttl = self.args.token_ttl


def parse_json_object(data, message):
    try:
        doc = loads_strict(data)
    except (ValueError, RecursionError) as err:
        raise HttpError(400, message, str(err)[:200]) from None
    if not isinstance(doc, dict):
        raise HttpError(400, message, "body must be a JSON object")
    return doc


def require_strings(doc, keys, message):
    for key in keys:
        value = doc.get(key)
        if not isinstance(value, str) or not value:
            raise HttpError(400, message, f"Field validation for '{key}' failed on the 'required' tag")


def optional_strings(doc, keys, message):
    for key in keys:
        if doc.get(key) is not None and not isinstance(doc[key], str):
            raise HttpError(400, message, f"'{key}' must be a string")


def count_query_rows(metrics):
    """Rows the real backend would insert: queries of pg_query_stats, in either shape."""
    rows = 0
    for metric in metrics:
        if not isinstance(metric, dict) or metric.get("type") != "pg_query_stats":
            continue
        if "database" in metric:
            databases = [metric]
        elif isinstance(metric.get("databases"), list):
            databases = metric["databases"]
        else:
            continue
        for database in databases:
            if isinstance(database, dict) and isinstance(database.get("queries"), list):
                rows += len(database["queries"])
    return rows


def gunzip_limited(data, limit):
    """Decompress gzip data (possibly multi-member) refusing output beyond limit bytes."""
    out, rest = [], data
    total = 0
    while rest:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        chunk = inflater.decompress(rest, limit - total + 1)
        total += len(chunk)
        out.append(chunk)
        if total > limit or inflater.unconsumed_tail:
            raise ValueError("decompressed body too large")
        if not inflater.eof:
            raise EOFError("truncated gzip stream")
        rest = inflater.unused_data
    if not out:
        raise EOFError("empty gzip stream")
    return b"".join(out)


# --------------------------------------------------------------------------- data port

@dataclass
class ConnInfo:
    conn_id: int
    requests: int = 0
    close_mode: str | None = None  # None (graceful), "drop" (close unanswered) or "rst"
    client_cert: str | None = None


def render_head(resp, close, length=None, extra=None):
    """Status line and headers; Content-Length is len(body) unless length/extra say otherwise."""
    lines = [f"HTTP/1.1 {resp.status} {status_phrase(resp.status)}",
             f"Date: {formatdate(usegmt=True)}", "Server: pga-test-backend"]
    if resp.content_type:
        lines.append(f"Content-Type: {resp.content_type}")
    headers = {**resp.headers, **(extra or {})}
    if "Transfer-Encoding" not in headers:
        lines.append(f"Content-Length: {len(resp.body) if length is None else length}")
    lines += [f"{header_safe(k)}: {header_safe(v)}" for k, v in headers.items()]
    if close:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")


class DataHandler(BaseHTTPRequestHandler):
    """One data-port connection: parses HTTP/1.1 (keep-alive), applies faults, writes answers."""

    protocol_version = "HTTP/1.1"
    server_version = "pga-test-backend"
    disable_nagle_algorithm = True

    def __init__(self, conn, addr, listener, info):
        self.info = info
        self.backend = listener.backend
        super().__init__(conn, addr, listener)

    # BaseHTTPRequestHandler dispatches on do_<METHOD>
    def do_GET(self):
        self._dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_GET

    def log_message(self, format, *args):  # noqa: A002 - signature fixed by the base class
        LOG.debug("conn %d: " + format, self.info.conn_id, *args)

    # ---- request flow
    def _dispatch(self):
        self.info.requests += 1
        url = urlsplit(self.path)
        req = Request(self.command, url.path, parse_qs(url.query), self.headers,
                      self.backend.ledger.start_request(self._log_entry(url)))
        try:
            self._handle(req)
        except ClientGone as err:
            self._drop(req, "client_gone", req.resp)
            LOG.info("conn %d: client gone: %s", self.info.conn_id, err)
        except Exception:  # never let one request kill the server
            LOG.exception("conn %d: handler failed", self.info.conn_id)
            self._answer_internal_error(req)

    def _handle(self, req):
        fault = self.backend.faults.take(req.method, req.path)
        if fault:
            req.entry["fault"] = fault.mode
        if fault and fault.mode == "reset":
            self._fault_reset(req, fault)
            return
        try:
            req.body = self._read_body()
        except BodyError as err:
            self.close_connection = True
            self._send(req, error_response(err.status, status_phrase(err.status), str(err)))
            return
        req.entry["body_bytes"] = len(req.body)
        if fault is None:
            self._send(req, self._route(req))
            return
        resp = self._route(req) if fault.commits() else None
        getattr(self, "_fault_" + fault.mode)(req, fault, resp)

    def _route(self, req):
        req.resp = self.backend.route(req)
        if req.resp.record is not None:
            req.entry["batch_id"] = req.resp.record["batch_id"]
        return req.resp

    def _log_entry(self, url):
        headers = {}
        for name, value in self.headers.items():
            if name.lower() == "authorization":
                continue
            headers[name] = REDACTED if name.lower() == "x-registration-secret" else value
        auth = self.headers.get("Authorization")
        return {"time": time.time(), "method": self.command, "path": url.path, "query": url.query,
                "http_version": self.request_version, "headers": headers,
                "authorization": auth is not None,
                "auth_scheme": auth.split(" ", 1)[0] if auth else None,
                "conn": self.info.conn_id, "conn_request": self.info.requests,
                "client_cert": self.info.client_cert, "body_bytes": 0,
                "status": None, "fault": None, "outcome": "pending"}

    # ---- reading
    def _read_body(self):
        encoding = (self.headers.get("Transfer-Encoding") or "").strip().lower()
        if encoding:
            if encoding != "chunked":
                raise BodyError(501, f"unsupported Transfer-Encoding {encoding!r}")
            return self._read_chunked()
        length = self._content_length()
        return self._read_exact(length) if length else b""

    def _content_length(self):
        value = self.headers.get("Content-Length")
        if value is None:
            return 0
        if not value.strip().isdigit():
            raise BodyError(400, "invalid Content-Length")
        length = int(value)
        if length > self.backend.args.max_body:
            raise BodyError(413, "request body larger than --max-body")
        return length

    def _read_chunked(self):
        chunks, total = [], 0
        while True:
            size_text = self._readline().split(b";", 1)[0].strip()
            if not re.fullmatch(rb"[0-9a-fA-F]{1,16}", size_text):
                raise BodyError(400, "bad chunk size")
            size = int(size_text, 16)
            if size == 0:
                break
            total += size
            if total > self.backend.args.max_body:
                raise BodyError(413, "request body larger than --max-body")
            chunks.append(self._read_exact(size))
            if self._readline().strip():
                raise BodyError(400, "bad chunk terminator")
        while self._readline().strip():  # trailers
            pass
        return b"".join(chunks)

    def _readline(self):
        try:
            line = self.rfile.readline(65537)
        except OSError as err:
            raise ClientGone(f"read failed: {err}") from None
        if not line:
            raise ClientGone("connection closed while reading body")
        if len(line) > 65536:
            raise BodyError(400, "line too long")
        return line

    def _read_exact(self, length):
        try:
            data = self.rfile.read(length)
        except OSError as err:
            raise ClientGone(f"read failed: {err}") from None
        if len(data) < length:
            raise ClientGone(f"connection closed after {len(data)} of {length} body bytes")
        return data

    # ---- writing
    def _write(self, data):
        try:
            self.wfile.write(data)
        except OSError as err:
            raise ClientGone(f"write failed: {err}") from None

    def _send(self, req, resp, outcome="sent"):
        self._write(render_head(resp, self.close_connection) + resp.body)
        self._done(req, resp.status, outcome, req.resp)

    def _drop(self, req, outcome, resp=None, rst=False):
        """End the connection without an HTTP answer (FIN, or RST when rst)."""
        self.close_connection = True
        self.info.close_mode = "rst" if rst else "drop"
        self._done(req, None, outcome, resp)

    def _done(self, req, status, outcome, resp):
        req.entry.update(status=status, outcome=outcome)
        self.backend.ledger.note_status(req.path, status)
        if resp is not None and resp.record is not None:
            resp.record["response"] = outcome
        LOG.info("conn %d: %s %s -> %s %s%s", self.info.conn_id, req.method, req.path,
                 status if status is not None else "-", outcome,
                 f" (fault {req.entry['fault']})" if req.entry["fault"] else "")

    def _answer_internal_error(self, req):
        self.close_connection = True
        try:
            self._send(req, error_response(500, "Internal server error", "test backend error"))
        except Exception:  # the connection may be unusable; it is closed right after
            pass

    def _wait(self, fault, seconds):
        """Sleep up to seconds; False when the fault was cleared or the server stops."""
        deadline = time.monotonic() + seconds
        while not (fault.released.is_set() or self.backend.stopping.is_set()):
            left = deadline - time.monotonic()
            if left <= 0:
                return True
            fault.released.wait(min(left, 0.2))
        return False

    def _peer_closed(self, wait):
        """True when the client closed (or sent more data) within wait seconds."""
        try:
            readable, _, _ = select.select([self.connection], [], [], wait)
            if not readable:
                return False
            return True
        except (OSError, ValueError):
            return True

    # ---- faults (reset is special: it acts before the body is read)
    def _fault_reset(self, req, fault):
        try:
            length = self._content_length()
        except BodyError:
            length = 0
        want = fault.params.get("after_bytes", length // 2)
        if length:
            want = min(want, length)
        if want > 0:
            try:
                self.rfile.read(want)
            except OSError:
                pass
        self._drop(req, "reset", None, rst=True)

    def _fault_status(self, req, fault, resp):
        params = fault.params
        status = params["status"]
        headers = dict(params.get("headers") or {})
        if "retry_after" in params:
            headers["Retry-After"] = params["retry_after"]
        if "body" in params:
            body = params["body"]
            data = body.encode("utf-8") if isinstance(body, str) else dumps(body)
        else:
            data = dumps({"code": status, "message": status_phrase(status),
                          "details": "injected by pga-test-backend"})
        self._send(req, Response(status, data, JSON_TYPE, headers), "replaced" if resp else "sent")

    def _fault_hang(self, req, fault, resp):
        req.entry["outcome"] = "hanging"
        deadline = time.monotonic() + fault.params["seconds"]
        while time.monotonic() < deadline:
            if fault.released.is_set() or self.backend.stopping.is_set():
                break
            if self._peer_closed(min(0.2, max(0.0, deadline - time.monotonic()))):
                break
        self._drop(req, "hung", resp)

    def _fault_slow(self, req, fault, resp):
        data = render_head(resp, self.close_connection) + resp.body
        chunk, interval = fault.params["chunk"], fault.params["interval"]
        req.entry["outcome"] = "trickling"
        for start in range(0, len(data), chunk):
            if fault.released.is_set() or self.backend.stopping.is_set():
                self._write(data[start:])
                break
            self._write(data[start:start + chunk])
            if start + chunk < len(data):
                self._wait(fault, interval)
        self._done(req, resp.status, "sent_slowly", resp)

    def _fault_delay(self, req, fault, resp):
        req.entry["outcome"] = "delaying"
        self._wait(fault, fault.params["seconds"])
        self._send(req, resp)

    def _fault_commit_then_drop(self, req, _fault, resp):
        self._drop(req, "dropped", resp)

    def _fault_garbage(self, req, fault, resp):
        body = fault.params.get("body", DEFAULT_GARBAGE)
        data = body if isinstance(body, bytes) else str(body).encode("utf-8")
        self._send(req, Response(fault.params["status"], data, JSON_TYPE),
                   "replaced" if resp else "sent")

    def _fault_redirect(self, req, fault, resp):
        headers = {"Location": fault.params["location"]}
        self._send(req, Response(fault.params["status"], b"", None, headers),
                   "replaced" if resp else "sent")

    def _fault_huge(self, req, fault, resp):
        size, chunked = fault.params["bytes"], fault.params["chunked"]
        head = Response(200, b"", JSON_TYPE)
        extra = {"Transfer-Encoding": "chunked"} if chunked else None
        self._write(render_head(head, self.close_connection, size, extra))
        for piece in huge_body(size):
            self._write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
        if chunked:
            self._write(b"0\r\n\r\n")
        self._done(req, 200, "replaced" if resp else "sent", resp)


def huge_body(size, piece=64 * 1024):
    """Yield exactly size bytes that start like a JSON success answer."""
    prefix = b'{"status":"success","padding":"'
    filler = b"x" * piece
    if size >= len(prefix) + 2:
        yield prefix
        left = size - len(prefix) - 2
    else:
        left = size
    while left > 0:
        yield filler[:min(left, piece)]
        left -= min(left, piece)
    if size >= len(prefix) + 2:
        yield b'"}'


class DataListener:
    """The data port: an accept loop that can be closed (refuse) and reopened on the same port."""

    def __init__(self, backend, port, tls_context, read_timeout):
        self.backend = backend
        self.port = port
        self.tls_context = tls_context
        self.read_timeout = read_timeout
        self._lock = threading.Lock()
        self._sock = None
        self._conns = set()
        self._next_conn = 0

    @property
    def listening(self):
        return self._sock is not None

    def open(self):
        """Bind and listen (again on the same port after a refuse); retries while the port is busy."""
        with self._lock:
            if self._sock is not None:
                return
            deadline = time.monotonic() + 30
            while True:
                try:
                    sock = self._bind()
                    break
                except OSError:
                    if time.monotonic() > deadline or self.port == 0:
                        raise
                    time.sleep(0.2)
            self.port = sock.getsockname()[1]
            self._sock = sock
        threading.Thread(target=self._accept_loop, args=(sock,), name="accept", daemon=True).start()

    def _bind(self):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((HOST, self.port))
            sock.listen(128)
        except OSError:
            sock.close()
            raise
        return sock

    def close(self, drop_connections=False):
        """Stop listening (connects get ECONNREFUSED); optionally cut open connections too."""
        with self._lock:
            sock, self._sock = self._sock, None
            conns = list(self._conns) if drop_connections else []
        if sock is not None:
            try:  # shutdown first: close() alone leaves it listening while select() holds it
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _accept_loop(self, sock):
        while self._sock is sock:
            try:
                readable, _, _ = select.select([sock], [], [], 0.2)
                if not readable:
                    continue
                conn, addr = sock.accept()
            except (OSError, ValueError):
                time.sleep(0.05)  # closed under us, or a transient accept error (EMFILE...)
                continue
            with self._lock:
                self._next_conn += 1
                info = ConnInfo(self._next_conn)
            threading.Thread(target=self._serve, args=(conn, addr, info),
                             name=f"conn-{info.conn_id}", daemon=True).start()

    def _serve(self, conn, addr, info):
        try:
            conn.settimeout(self.read_timeout)
            if self.tls_context is not None:
                conn = self._tls_handshake(conn, info)
                if conn is None:
                    return
            with self._lock:
                self._conns.add(conn)
            DataHandler(conn, addr, self, info)
        except Exception as err:  # resets, timeouts, TLS errors: the peer's problem, not ours
            LOG.debug("conn %d: ended: %r", info.conn_id, err)
        finally:
            with self._lock:
                self._conns.discard(conn)
            close_socket(conn, info.close_mode)

    def _tls_handshake(self, conn, info):
        try:
            tls = self.tls_context.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError) as err:
            self.backend.ledger.count("tls_handshake_failures")
            LOG.info("conn %d: TLS handshake failed: %s", info.conn_id, err)
            conn.close()
            return None
        info.client_cert = peer_common_name(tls)
        return tls


def peer_common_name(tls):
    cert = tls.getpeercert() or {}
    for rdn in cert.get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                return value
    return None


def close_socket(conn, mode):
    try:
        if mode == "rst":
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()
    except OSError:
        pass


# --------------------------------------------------------------------------- control port

class ControlError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


def query_int(query, name, default):
    values = query.get(name)
    if not values:
        return default
    try:
        return int(values[0])
    except ValueError:
        raise ControlError(400, f"'{name}' must be an integer") from None


def query_flag(query, name):
    return (query.get(name) or ["0"])[0].lower() in ("1", "true", "yes")


class Control:
    """The /_test/* API: every method takes (query, body) and returns (status, JSON object)."""

    def __init__(self, backend):
        self.backend = backend
        self.routes = {
            ("GET", "/_test/status"): self.status,
            ("GET", "/_test/ledger"): self.ledger,
            ("GET", "/_test/requests"): self.requests,
            ("GET", "/_test/bodies"): self.bodies,
            ("GET", "/_test/faults"): self.faults,
            ("POST", "/_test/fault"): self.add_fault,
            ("POST", "/_test/clear"): self.clear,
            ("POST", "/_test/reset"): self.reset,
            ("POST", "/_test/token-ttl"): self.token_ttl,
            ("GET", "/_test/mint-token"): self.mint_token,
            ("POST", "/_test/health"): self.health,
        }

    def status(self, _query, _body):
        b = self.backend
        return 200, {"port": b.listener.port, "scheme": "https" if b.listener.tls_context else "http",
                     "listening": b.listener.listening, "healthy": b.healthy,
                     "token_ttl": b.tokens.ttl, "uptime": time.time() - b.started,
                     "faults": b.faults.pending()}

    def ledger(self, query, _body):
        return 200, self.backend.ledger.snapshot(summary=query_flag(query, "summary"))

    def requests(self, query, _body):
        return 200, {"requests": self.backend.ledger.requests(query_int(query, "limit", 0))}

    def bodies(self, query, _body):
        return 200, {"bodies": self.backend.ledger.bodies(query_int(query, "limit", 0))}

    def faults(self, _query, _body):
        return 200, {"faults": self.backend.faults.pending()}

    def add_fault(self, _query, body):
        specs = body if isinstance(body, list) else [body]
        try:
            faults = [parse_fault(spec, self.backend.faults.new_id()) for spec in specs]
        except FaultError as err:
            raise ControlError(400, str(err)) from None
        applied = [self._apply_fault(fault) for fault in faults]
        return 200, {"ok": True, "applied": applied, "faults": self.backend.faults.pending()}

    def _apply_fault(self, fault):
        if fault.mode == "refuse":
            self.backend.start_refuse(fault.params.get("seconds"))
            return {"id": fault.fid, "mode": "refuse", "listening": False}
        if fault.mode == "expire_tokens":
            return {"id": fault.fid, "mode": "expire_tokens", "expired": self.backend.tokens.expire_all()}
        self.backend.faults.add(fault)
        return fault.to_json()

    def clear(self, _query, _body):
        removed = self.backend.clear_faults()
        return 200, {"ok": True, "removed": removed, "listening": self.backend.listener.listening}

    def reset(self, _query, _body):
        self.backend.reset()
        return 200, {"ok": True}

    def token_ttl(self, _query, body):
        seconds = body.get("seconds") if isinstance(body, dict) else None
        if isinstance(seconds, bool) or not isinstance(seconds, int):
            raise ControlError(400, "body must be {\"seconds\": <integer>}")
        self.backend.tokens.ttl = seconds
        return 200, {"ok": True, "token_ttl": seconds}

    def mint_token(self, query, _body):
        collector_id = (query.get("collector_id") or [str(uuid.uuid4())])[0]
        hostname = (query.get("hostname") or ["test-host"])[0]
        ttl = query_int(query, "ttl", self.backend.tokens.ttl)
        token, exp = self.backend.tokens.issue(collector_id, hostname, ttl)
        return 200, {"token": token, "collector_id": collector_id, "hostname": hostname,
                     "exp": exp, "expires_at": rfc3339(exp)}

    def health(self, _query, body):
        status = body.get("status") if isinstance(body, dict) else None
        if status not in ("ok", "degraded"):
            raise ControlError(400, "body must be {\"status\": \"ok\"|\"degraded\"}")
        self.backend.healthy = status == "ok"
        return 200, {"ok": True, "status": status}


class ControlHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "pga-test-backend-control"

    def do_GET(self):
        self._dispatch()

    do_POST = do_GET

    def log_message(self, format, *args):  # noqa: A002 - signature fixed by the base class
        LOG.debug("control: " + format, *args)

    def _dispatch(self):
        url = urlsplit(self.path)
        control = self.server.control
        try:
            body = self._read_json()
            route = control.routes.get((self.command, url.path))
            if route is None:
                raise ControlError(404, f"no control route {self.command} {url.path}")
            status, obj = route(parse_qs(url.query), body)
        except ControlError as err:
            status, obj = err.status, {"error": str(err)}
        except Exception as err:  # report, never die
            LOG.exception("control request failed")
            status, obj = 500, {"error": repr(err)}
        data = dumps(obj)
        self.send_response(status)
        self.send_header("Content-Type", JSON_TYPE)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _read_json(self):
        length = self.headers.get("Content-Length") or "0"
        if not length.isdigit() or int(length) > 16 * 1024 * 1024:
            self.close_connection = True
            raise ControlError(400, "bad Content-Length")
        data = self.rfile.read(int(length)) if int(length) else b""
        if not data.strip():
            return {}
        try:
            return loads_strict(data)
        except (ValueError, RecursionError) as err:
            raise ControlError(400, f"invalid JSON: {err}") from None


class ControlServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port, control):
        super().__init__((HOST, port), ControlHandler)
        self.control = control


# --------------------------------------------------------------------------- main

def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--port", type=int, default=0, help="data port (0 = ephemeral)")
    p.add_argument("--control-port", type=int, default=0, help="control port (0 = ephemeral)")
    p.add_argument("--port-file", help='write {"port","control_port","scheme","pid"} here once listening')
    p.add_argument("--registration-secret", default=DEFAULT_REGISTRATION_SECRET)
    p.add_argument("--jwt-secret", help="HS256 secret (default: random)")
    p.add_argument("--token-ttl", type=int, default=1800, help="token lifetime in seconds")
    p.add_argument("--tls-cert", help="serve HTTPS with this certificate (TLS >= 1.2)")
    p.add_argument("--tls-key", help="private key of --tls-cert")
    p.add_argument("--client-ca", help="require client certificates signed by this CA (mTLS)")
    p.add_argument("--static-token", help="also accept this literal bearer token")
    p.add_argument("--static-collector-id", default=DEFAULT_STATIC_COLLECTOR_ID)
    p.add_argument("--accept-gzip", action="store_true", help="accept Content-Encoding: gzip bodies")
    p.add_argument("--config-toml", help="TOML served on GET /api/v1/config/<id>")
    p.add_argument("--config-allow-collector", action="store_true",
                   help="answer config pulls made with a collector token (real backend: 401)")
    p.add_argument("--collector-cert", help="PEM certificate returned by register")
    p.add_argument("--collector-key", help="PEM key returned by register")
    p.add_argument("--log", help="append a line per request to this file")
    p.add_argument("--keep-bodies", type=int, default=50, help="accepted push bodies kept")
    p.add_argument("--keep-requests", type=int, default=2000, help="request log entries kept")
    p.add_argument("--read-timeout", type=float, default=30.0, help="socket read/idle timeout")
    p.add_argument("--max-body", type=int, default=256 * 1024 * 1024, help="largest body accepted")
    p.add_argument("--exit-with-pid", type=int,
                   help="exit when this process is gone (so a killed test run leaves no backend)")
    args = p.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        p.error("--tls-cert and --tls-key go together")
    if args.client_ca and not args.tls_cert:
        p.error("--client-ca needs --tls-cert/--tls-key")
    if bool(args.collector_cert) != bool(args.collector_key):
        p.error("--collector-cert and --collector-key go together")
    return args


def setup_logging(path):
    handler = logging.FileHandler(path) if path else logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    LOG.addHandler(handler)
    LOG.setLevel(logging.INFO if path else logging.WARNING)


def build_tls_context(args):
    if not args.tls_cert:
        return None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(args.tls_cert, args.tls_key)
    if args.client_ca:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(cafile=args.client_ca)
    return context


def write_port_file(path, info):
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(info, handle)
        handle.write("\n")
    os.replace(tmp, path)


def process_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def main(argv=None):
    args = parse_args(argv)
    setup_logging(args.log)
    try:
        tls_context = build_tls_context(args)
    except (OSError, ssl.SSLError) as err:
        print(f"pga-test-backend: TLS setup failed: {err}", file=sys.stderr)
        return 2
    backend = Backend(args)
    backend.listener = DataListener(backend, args.port, tls_context, args.read_timeout)
    try:
        backend.listener.open()
        control = ControlServer(args.control_port, Control(backend))
    except OSError as err:
        print(f"pga-test-backend: cannot listen: {err}", file=sys.stderr)
        return 2
    threading.Thread(target=control.serve_forever, kwargs={"poll_interval": 0.1},
                     name="control", daemon=True).start()

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    info = {"port": backend.listener.port, "control_port": control.server_address[1],
            "scheme": "https" if tls_context else "http", "pid": os.getpid()}
    if args.port_file:
        write_port_file(args.port_file, info)
    LOG.info("listening: %s", json.dumps(info))

    while not stop.wait(0.2):
        if args.exit_with_pid and not process_alive(args.exit_with_pid):
            LOG.info("process %d is gone", args.exit_with_pid)
            break
    LOG.info("stopping")
    backend.stopping.set()
    backend.faults.clear()
    backend.listener.close(drop_connections=True)
    control.shutdown()
    control.server_close()
    if args.port_file:
        try:
            os.unlink(args.port_file)
        except OSError:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
