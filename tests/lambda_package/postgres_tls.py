"""TLS in front of a PostgreSQL that offers none, so that the package's
production settings (``sslmode=require``, TLS only) talk to the real server
unchanged.

PostgreSQL negotiates TLS inside its own protocol: the client sends an
SSLRequest (8 bytes), the server answers ``S`` and the TLS handshake follows
on the same connection. This proxy answers ``S`` itself, does the handshake
with a throwaway certificate, and passes the decrypted stream to the server.
A client that does not ask for TLS is refused (and counted), so a setting that
turned TLS off would show. https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-SSL
"""

from __future__ import annotations

import contextlib
import select
import socket
import ssl
import struct
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate and key for 127.0.0.1, valid for a day."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "server.crt", folder / "server.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_path.chmod(0o600)
    return cert_path, key_path


def _read_exactly(connection: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            raise ConnectionError("closed during the start-up packet")
        data += chunk
    return data


class PostgresTlsProxy:
    """Listens on 127.0.0.1; ``upstream`` is (host, port) or a Unix socket path."""

    def __init__(self, upstream: tuple[str, int] | str, certificate_folder: Path):
        self.upstream = upstream
        cert, key = self_signed_certificate(certificate_folder)
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.minimum_version = ssl.TLSVersion.TLSv1_2
        self.context.load_cert_chain(cert, key)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.tls_connections = 0
        self.refused_plaintext = 0
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="postgres-tls-proxy", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self.listener.close()

    def _connect_upstream(self) -> socket.socket:
        if isinstance(self.upstream, str):
            connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            connection.connect(self.upstream)
            return connection
        return socket.create_connection(self.upstream)

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            while True:
                length, code = struct.unpack("!ii", _read_exactly(client, 8))
                if length == 8 and code == GSSENC_REQUEST:
                    client.sendall(b"N")  # no GSSAPI encryption; the client asks for TLS next
                    continue
                break
            if not (length == 8 and code == SSL_REQUEST):
                self.refused_plaintext += 1
                client.close()
                return
            client.sendall(b"S")
            secure = self.context.wrap_socket(client, server_side=True)
            self.tls_connections += 1
            upstream = self._connect_upstream()
        except (OSError, ConnectionError, ssl.SSLError):
            client.close()
            return
        self._pump(secure, upstream)

    @staticmethod
    def _pump(secure: ssl.SSLSocket, upstream: socket.socket) -> None:
        """Both directions in one thread (an SSL socket is not for two)."""
        try:
            while True:
                readable = [secure] if secure.pending() else select.select([secure, upstream], [], [], 300)[0]
                if not readable:
                    return
                for source in readable:
                    data = source.recv(65536)
                    if not data:
                        return
                    (upstream if source is secure else secure).sendall(data)
        except (OSError, ssl.SSLError):
            return
        finally:
            for connection in (secure, upstream):
                with contextlib.suppress(OSError):
                    connection.close()
