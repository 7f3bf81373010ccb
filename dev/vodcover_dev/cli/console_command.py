"""``vodcover console``: the media-library console for a deployed API, on this machine.

Serves the page on 127.0.0.1 and signs its API calls with your AWS credentials (the normal
boto3 chain: ``--profile``, environment, SSO, instance role), so the deployed API keeps IAM
auth and the browser never sees a secret.
"""

from __future__ import annotations

import argparse
import webbrowser

from vodcover_dev.cli import serve_until_stopped


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "console",
        help="open the media-library console for a deployed API (signs with your AWS credentials)",
        description="Serve the media-library console for a deployed API on this machine. API calls are "
        "signed with SigV4 by a local proxy using your AWS credentials; presigned media URLs go "
        "straight to S3 (the bucket's CorsAllowedOrigin must allow this page's origin).",
    )
    parser.add_argument(
        "--endpoint",
        required=True,
        help="the API's base URL, stage included (the stack's ApiUrl output), "
        "e.g. https://abc123.execute-api.eu-west-1.amazonaws.com/v1",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port to serve on (default 8080)")
    parser.add_argument("--profile", default=None, help="AWS profile to sign with (default: the boto3 chain)")
    parser.add_argument(
        "--region", default=None, help="signing region (default: from the endpoint, else your configuration)"
    )
    parser.add_argument("--open", action="store_true", help="open the console in a web browser")
    parser.set_defaults(run=run_console)


def run_console(args: argparse.Namespace) -> None:
    import boto3

    from vodcover_dev.console_proxy import (
        ConsoleCredentialsMissing,
        ConsoleProxy,
        ConsoleServer,
        boto3_credentials,
        region_of,
    )

    if not args.endpoint.startswith(("https://", "http://")):
        raise SystemExit("--endpoint: expected an http(s) URL such as https://…execute-api…/v1")
    region = (
        args.region
        or region_of(args.endpoint)
        or boto3.session.Session(profile_name=args.profile).region_name
    )
    if not region:
        raise SystemExit("vodcover console: no region: pass --region (or use the execute-api endpoint URL)")
    try:
        credentials = boto3_credentials(args.profile)
    except ConsoleCredentialsMissing as exc:
        raise SystemExit(f"vodcover console: {exc}") from None
    server = ConsoleServer(
        ConsoleProxy(args.endpoint, credentials, region=region), host=args.host, port=args.port
    )

    def start() -> None:
        try:
            server.start()
        except ModuleNotFoundError as exc:
            raise SystemExit(
                f"vodcover console: {exc.name} is missing: pip install 'vodcover[console]'"
            ) from None
        except OSError as exc:
            raise SystemExit(
                f"vodcover console: cannot listen on {args.host}:{args.port}: {exc.strerror}"
            ) from None
        print(f"Console   {server.url}", flush=True)
        print(f"API       {args.endpoint}   (signed for {region})", flush=True)
        if args.open:
            webbrowser.open(server.url)

    serve_until_stopped(start, server.stop)
