"""`learnbot serve`'s web server with the Teams endpoint aimed at a fake Bot Framework (crash
tests).

The real endpoint checks tokens against Microsoft's keys and fetches its own from Microsoft;
this runs the same server (`build_web_app`, `mount`, `serve_forever`) with the local cloud and
credentials of `tests/adapters/teams/fakes.py`. Run: `python -m tests.faults.teams_server
FAKE_URL` with the settings in the environment; it prints "serving on URL".
"""

from __future__ import annotations

import asyncio
import logging
import sys

from bot.adapters.server import build_web_app, serve_forever
from bot.adapters.teams.delivery import RetryPolicy
from bot.adapters.teams.endpoint import BotFrameworkCloud, mount
from bot.app import build_app
from bot.settings import load_settings
from tests.adapters.teams.fakes import APP_ID, APP_PASSWORD, ISSUER, TENANT
from tests.adapters.teams.fakes import _LocalCredentialsFactory as LocalCredentialsFactory
from tests.faults.teams_worker import Remote


def main(url: str) -> None:
    settings = load_settings()
    logging.basicConfig(level=settings.log_level)
    core = build_app(settings)
    openid = f"{url}/openid/.well-known/openidconfiguration"
    cloud = BotFrameworkCloud(
        channel_openid_metadata_url=openid,
        channel_token_issuer=ISSUER,
        emulator_openid_metadata_url=openid,
        login_url=f"{url}/login/",
    )
    web_app = build_web_app(core, mounters=())
    mount(
        web_app,
        core,
        insecure_dev=False,
        cloud=cloud,
        credentials_factory=LocalCredentialsFactory(Remote(url), APP_ID, APP_PASSWORD, TENANT),
        retry=RetryPolicy(attempts=1),
    )
    asyncio.run(serve_forever(web_app, host="127.0.0.1", port=0, echo=print))


if __name__ == "__main__":
    main(sys.argv[1])
