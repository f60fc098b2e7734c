"""A nudge worker process with a Teams chat port aimed at a fake Bot Framework (crash tests).

`learnbot worker` has no Teams port (Teams sends go through `learnbot serve`), so this runs
the same worker entry point, `nudges.worker.run_worker`, with the port the endpoint would
build. Run: `python -m tests.faults.teams_worker FAKE_URL` with the settings in the environment.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass

from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

from bot.adapters.teams.delivery import RetryPolicy
from bot.adapters.teams.endpoint import BotFrameworkCloud, sdk_configuration
from bot.adapters.teams.port import TeamsChatPort
from bot.app import build_app
from bot.settings import load_settings
from bot.storage.conversations import ConversationRepository
from nudges.worker import run_worker
from tests.adapters.teams.fakes import APP_ID, APP_PASSWORD, ISSUER, TENANT
from tests.adapters.teams.fakes import _LocalCredentialsFactory as LocalCredentialsFactory


@dataclass
class Remote:
    """The fake's address, as the local credentials need it."""

    url: str


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
    auth = ConfigurationBotFrameworkAuthentication(
        sdk_configuration(settings, cloud),
        credentials_factory=LocalCredentialsFactory(Remote(url), APP_ID, APP_PASSWORD, TENANT),
    )
    port = TeamsChatPort(
        adapter=CloudAdapter(auth),
        app_id=APP_ID,
        conversations=ConversationRepository(core.services.engine),
        clock=core.services.clock,
        retry=RetryPolicy(attempts=1),
    )
    core.services.chat_ports.add(port)
    print("teams nudge worker started", flush=True)
    try:
        run_worker(core.services)
    finally:
        port.close()
    print("teams nudge worker stopped", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
