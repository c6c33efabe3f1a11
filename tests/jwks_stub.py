"""A JWKS endpoint on localhost, for the Cognito token tests and the API
benchmark: it serves one key set over HTTP on a free port and counts the
requests. Standard library and PyJWT only, so the benchmark can import it
without the test suite's fixtures."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt


def jwks_of(public_key, kid: str) -> dict:
    """The JWKS document publishing one RSA public key under ``kid``."""
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(public_key))
    return {"keys": [{**jwk, "kid": kid, "alg": "RS256", "use": "sig"}]}


class JwksStub:
    """Serves ``jwks`` at ``stub.url`` from ``start()`` to ``stop()`` (or for
    the length of a ``with`` block); ``stub.hits`` lists the requested paths."""

    def __init__(self, jwks: dict):
        self.body = json.dumps(jwks).encode()
        self.hits: list[str] = []
        self.url = ""
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> "JwksStub":
        body, hits = self.body, self.hits

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_port}/jwks.json"
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "JwksStub":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
