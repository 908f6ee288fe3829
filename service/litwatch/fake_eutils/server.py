"""A fake NCBI E-utilities HTTP server on loopback, for end-to-end tests and ``make demo``.

Clients call ``BASE + "esearch.fcgi"`` exactly as they would call
``https://eutils.ncbi.nlm.nih.gov/entrez/eutils/esearch.fcgi``.

    with running_server(FakeEutils(load_demo_corpus())) as base_url:
        httpx.get(base_url + "esearch.fcgi", params={...})
"""

from __future__ import annotations

import argparse
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from litwatch.fake_eutils.answers import LoggedRequest, Reply
from litwatch.fake_eutils.corpus import Corpus
from litwatch.fake_eutils.eutils import FakeEutils

__all__ = ["FakeEutils", "LoggedRequest", "main", "make_server", "running_server"]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as NCBI's front end allows
    server_version = "litwatch-fake-eutils"
    timeout = 30  # a forgotten keep-alive connection must not hold a thread forever
    disable_nagle_algorithm = True  # headers and body go out in two writes; do not wait
    fake: FakeEutils  # set on the subclass that make_server builds

    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        self._serve("GET", b"")

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        self._serve("POST", self.rfile.read(length) if length else b"")

    def _serve(self, method: str, body: bytes) -> None:
        url = urlsplit(self.path)
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        if body:
            params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        reply = self.fake.handle(method, url.path, params, self.client_address[0])
        self._send(reply)

    def _send(self, reply: Reply) -> None:
        body = reply.body
        if reply.truncate:
            # Half an answer with a matching length: the HTTP exchange is fine, the XML is not.
            body = body[: len(body) // 2]
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        # The fake keeps its own request log; stderr chatter would only clutter test output.
        pass


def make_server(fake: FakeEutils, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    """An HTTP server answering for ``fake``; not started."""
    handler = type("FakeEutilsHandler", (_Handler,), {"fake": fake})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


@contextmanager
def running_server(fake: FakeEutils, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``fake`` from a background thread; yield the base URL (ending in '/')."""
    server = make_server(fake, host, port)
    thread = threading.Thread(
        target=server.serve_forever, args=(0.05,), name="fake-eutils", daemon=True
    )
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def main(argv: list[str] | None = None) -> None:
    """``litwatch-fake-eutils``: serve a corpus directory (default: the demo corpus)."""
    parser = argparse.ArgumentParser(
        prog="litwatch-fake-eutils", description="A fake NCBI E-utilities server on loopback."
    )
    parser.add_argument("--corpus", type=Path, help="directory of PubmedArticleSet *.xml files")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--no-rate-limit", action="store_true", help="never answer 429")
    parser.add_argument("--fail-rate", type=float, default=0.0, help="share of 5xx answers")
    parser.add_argument("--throttle-rate", type=float, default=0.0, help="share of 429 answers")
    parser.add_argument("--slow-ms", type=int, default=0, help="delay before every answer")
    parser.add_argument("--truncate-rate", type=float, default=0.0, help="share of cut answers")
    parser.add_argument("--seed", type=int, default=0, help="seed for the fault dice")
    args = parser.parse_args(argv)
    if args.corpus is None:
        from litwatch.fake_eutils.democorpus import load_demo_corpus

        corpus = load_demo_corpus()
    else:
        corpus = Corpus.from_dir(args.corpus)
    fake = FakeEutils(
        corpus,
        rate_limit=not args.no_rate_limit,
        error_rate=args.fail_rate,
        throttle_rate=args.throttle_rate,
        slow_ms=args.slow_ms,
        truncate_rate=args.truncate_rate,
        seed=args.seed,
    )
    server = make_server(fake, args.host, args.port)
    url = f"http://{args.host}:{server.server_port}/"
    print(f"fake E-utilities: {len(corpus)} records at {url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
