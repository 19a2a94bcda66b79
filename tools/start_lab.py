"""Start JupyterLab on the course, bound to localhost with a random token, and print its URL.

Called by `make lab`; run from the repository root. The server's root is the
repository (so lessons can show figures from ../images) and it opens at notebooks/.
"""
from __future__ import annotations

import argparse
import os
import secrets
import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8888)
    parser.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    args = parser.parse_args(argv)

    if not port_is_free(args.host, args.port):
        print(f"Port {args.port} on {args.host} is already in use (another Jupyter?). "
              f"Choose another one: make lab PORT={args.port + 1}", file=sys.stderr)
        return 1
    token = os.environ.get("COURSE_LAB_TOKEN") or secrets.token_hex(24)
    url = f"http://{args.host}:{args.port}/lab/tree/notebooks?token={token}"
    no_browser = args.no_browser or os.environ.get("NO_BROWSER") or (
        sys.platform.startswith("linux") and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY")
    )
    command = [
        sys.executable, "-m", "jupyter", "lab",
        f"--ServerApp.ip={args.host}",
        f"--ServerApp.port={args.port}",
        "--ServerApp.port_retries=0",  # the printed URL must be the real one
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={ROOT}",
        "--LabApp.default_url=/lab/tree/notebooks",
    ]
    if no_browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and CI machines run as root
    print("=" * 72)
    print("The Convolutions workbook is starting. Open this URL in your browser:")
    print(f"    {url}")
    print("Stop the server with Ctrl+C.")
    print("=" * 72, flush=True)
    os.execv(sys.executable, command)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
