"""API Gateway's side: the REST API proxy events (payload format 1.0) that the
API Zappa deploys sends its function, and a small browser-like client (cookies,
redirects under the stage's path) on top.
https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-input-format
"""

from __future__ import annotations

import base64
import html
import json as jsonlib
import re
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode, urlsplit

from .runtime import LambdaFunction

CLIENT_IP = "203.0.113.10"


def proxy_event(
    method: str,
    path: str,
    *,
    host: str,
    stage: str,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    body: str | None = None,
) -> dict[str, Any]:
    """One request as API Gateway's ``{proxy+}`` resource hands it to Lambda.
    ``path`` is without the stage (API Gateway takes it off)."""
    all_headers = {
        "Host": host,
        "X-Forwarded-For": CLIENT_IP,
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
        "User-Agent": "lambda-test",
        "Accept": "text/html,application/json;q=0.9,*/*;q=0.8",
        "X-Amzn-Trace-Id": f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]}",
        **(headers or {}),
    }
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": {name: [value] for name, value in all_headers.items()},
        "queryStringParameters": dict(query) if query else None,
        "multiValueQueryStringParameters": {key: [value] for key, value in query.items()} if query else None,
        "pathParameters": {"proxy": path.lstrip("/")},
        "stageVariables": None,
        "requestContext": {
            "resourceId": "abc123",
            "resourcePath": "/{proxy+}",
            "httpMethod": method,
            "path": f"/{stage}{path}",
            "stage": stage,
            "requestId": str(uuid.uuid4()),
            "extendedRequestId": uuid.uuid4().hex[:16],
            "accountId": "123456789012",
            "apiId": host.split(".")[0],
            "domainName": host,
            "protocol": "HTTP/1.1",
            "requestTimeEpoch": int(time.time() * 1000),
            "identity": {"sourceIp": CLIENT_IP, "userAgent": "lambda-test"},
        },
        "body": body,
        "isBase64Encoded": False,
    }


@dataclass
class Response:
    status: int
    headers: dict[str, list[str]]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()

    def json(self) -> Any:
        return jsonlib.loads(self.body)

    def header(self, name: str) -> str:
        for key, values in self.headers.items():
            if key.lower() == name.lower():
                return ",".join(values)
        return ""


@dataclass
class Browser:
    """Requests through a web function, keeping cookies like a browser."""

    function: LambdaFunction
    host: str
    stage: str
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, str] | None = None,
        form: dict[str, str] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        all_headers = dict(headers or {})
        body = None
        if form is not None:
            body = urlencode(form)
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif json is not None:
            body = jsonlib.dumps(json)
            all_headers["Content-Type"] = "application/json"
        if method not in ("GET", "HEAD"):
            # What a browser sends with a form of this origin (Django's CSRF checks both).
            all_headers.setdefault("Origin", f"https://{self.host}")
            all_headers.setdefault("Referer", f"https://{self.host}/{self.stage}{path}")
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        event = proxy_event(method, path, host=self.host, stage=self.stage, headers=all_headers, query=query, body=body)
        answer = self.function.call(event)
        headers_out = answer.get("multiValueHeaders") or {k: [v] for k, v in (answer.get("headers") or {}).items()}
        for name, values in headers_out.items():
            if name.lower() == "set-cookie":
                for value in values:
                    for morsel in SimpleCookie(value).values():
                        if morsel["max-age"] == "0" or not morsel.value:
                            self.cookies.pop(morsel.key, None)
                        else:
                            self.cookies[morsel.key] = morsel.value
        raw = answer.get("body") or ""
        data = base64.b64decode(raw) if answer.get("isBase64Encoded") else raw.encode()
        return Response(answer["statusCode"], headers_out, data)

    def get(self, path: str, **options: Any) -> Response:
        return self.request("GET", path, **options)

    def post(self, path: str, **options: Any) -> Response:
        return self.request("POST", path, **options)

    def path_of(self, location: str) -> str:
        """The API path a redirect points to: the stage's prefix taken off, as API Gateway does."""
        path = urlsplit(location).path
        prefix = f"/{self.stage}"
        return path[len(prefix) :] if path.startswith(prefix + "/") else path

    def csrf_token(self, page: Response) -> str:
        return self.hidden_fields(page)["csrfmiddlewaretoken"]

    @staticmethod
    def hidden_fields(page: Response) -> dict[str, str]:
        """The hidden inputs of a page's forms, as a browser would submit them."""
        fields = {}
        for tag in re.findall(r"<input[^>]*>", page.text):
            if 'type="hidden"' in tag and (name := re.search(r'name="([^"]+)"', tag)):
                value = re.search(r'value="([^"]*)"', tag)
                fields[name.group(1)] = html.unescape(value.group(1)) if value else ""
        return fields
