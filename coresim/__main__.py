"""``python -m coresim --port N [--host 127.0.0.1]``: serve the simulator until interrupted."""

from __future__ import annotations

import argparse
import sys

from coresim.server import CoreServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="coresim", description="Core-banking simulator")
    parser.add_argument("--host", default="127.0.0.1", choices=["127.0.0.1"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    server = CoreServer((args.host, args.port), verbose=args.verbose)
    print(f"coresim listening on http://{args.host}:{server.server_address[1]}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
