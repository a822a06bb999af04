"""``mnist-explorer serve``: the app in a web browser through textual-serve, one app process per browser tab."""

from __future__ import annotations

import argparse
import errno
import shlex
import socket
import sys

from engine.cli.common import data_spec, open_store
from engine.data import load_dataset
from engine.errors import UsageError

DEFAULT_HOST = "127.0.0.1"  # localhost unless told otherwise: the app can start jobs and write files
DEFAULT_PORT = 8000


def port_number(text: str) -> int:
    """A TCP port, 1–65535 (argparse type: a bad one is one line and exit 2)."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"port must be a whole number, got {text!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be 1–65535, got {port}")
    return port


def register(sub) -> None:
    from engine.cli.main import common_parent

    p = sub.add_parser("serve", parents=[common_parent()], help="serve the app to a web browser (textual-serve)")
    p.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    p.add_argument("--port", default=DEFAULT_PORT, type=port_number, help=f"port (default {DEFAULT_PORT})")
    p.add_argument(
        "--public-url", metavar="URL", default=None, help="the address browsers reach it at (default http://HOST:PORT)"
    )
    p.set_defaults(func=run)


def app_command(args: argparse.Namespace) -> str:
    """The shell command textual-serve runs per browser connection: this app with the same data and store."""
    argv = [sys.executable, "-m", "mnist_explorer", "--data", args.data, "--seed", str(args.seed)]
    if args.test_size is not None:
        argv += ["--test-size", str(args.test_size)]
    if args.store:
        argv += ["--store", str(args.store)]
    return "exec " + shlex.join(argv)  # exec: the app replaces the shell, so stopping it stops the app


def check_address(host: str, port: int) -> None:
    """Refuse, in one line, an address the server could not listen on (port in use, unknown host)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise UsageError(f"cannot listen on {host!r}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp binds: TIME_WAIT is no conflict
        try:
            probe.bind(address)
        except OSError as exc:
            reason = "the port is in use" if exc.errno == errno.EADDRINUSE else exc.strerror
            raise UsageError(f"cannot listen on {host}:{port}: {reason}") from None


def run(args: argparse.Namespace) -> int:
    from textual_serve.server import Server

    load_dataset(data_spec(args))  # a bad SPEC or store fails here in one line, not in every browser tab
    open_store(args).close()
    check_address(args.host, args.port)
    server = Server(
        app_command(args), host=args.host, port=args.port, title="mnist-explorer", public_url=args.public_url
    )
    server.serve()
    return 0
