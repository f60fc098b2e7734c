"""Attacker requests to POST /api/messages over real HTTP: every token that is not Bot
Framework's, for this bot, in date and signed with a published key, is 401 and sends nothing."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass

import jwt
import pytest

from tests.adapters.teams.conftest import activity
from tests.adapters.teams.fakes import APP_ID, APP_PASSWORD, ISSUER, FakeBotFramework
from tests.security.conftest import Server
from tests.security.state import rows


def claims(fake: FakeBotFramework, **changes: object) -> dict[str, object]:
    now = int(time.time())
    values: dict[str, object] = {
        "iss": ISSUER,
        "aud": APP_ID,
        "serviceurl": fake.service_url,
        "nbf": now - 60,
        "iat": now - 60,
        "exp": now + 3600,
    }
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


def unsigned(fake: FakeBotFramework) -> str:
    return jwt.encode(claims(fake), None, algorithm="none", headers={"kid": fake.kid})


def hmac_with_app_password(fake: FakeBotFramework) -> str:
    """HS256 with a shared secret where an RSA key is published (algorithm confusion)."""
    return jwt.encode(claims(fake), APP_PASSWORD * 2, algorithm="HS256", headers={"kid": fake.kid})


def strip_signature(fake: FakeBotFramework) -> str:
    head, body, _ = fake.token().split(".")
    return f"{head}.{body}."


def swap_payload(fake: FakeBotFramework) -> str:
    """A real signature over one payload, glued to another (a different audience)."""
    head, _, signature = fake.token().split(".")
    _, forged, _ = fake.token(audience="99999999-9999-4999-8999-999999999999").split(".")
    return f"{head}.{forged}.{signature}"


@dataclass(frozen=True)
class Case:
    name: str
    authorization: Callable[[FakeBotFramework], str | None]


def bearer(make: Callable[[FakeBotFramework], str]) -> Callable[[FakeBotFramework], str]:
    return lambda fake: f"Bearer {make(fake)}"


CASES = [
    Case("missing", lambda fake: None),
    Case("empty", lambda fake: ""),
    Case("not-bearer", lambda fake: "Basic " + fake.token()),
    Case("wrong-issuer", bearer(lambda f: f.token(issuer="https://api.botframework.com.evil"))),
    Case("wrong-audience", bearer(lambda f: f.token(audience="someone-elses-app"))),
    Case("expired", bearer(lambda f: f.token(expires_in=-600))),
    Case(
        "not-yet-valid",
        bearer(
            lambda f: jwt.encode(
                claims(f, nbf=int(time.time()) + 3600),
                f._key,
                algorithm="RS256",
                headers={"kid": f.kid},
            )
        ),
    ),
    Case(
        "no-expiry",
        bearer(
            lambda f: jwt.encode(
                claims(f, exp=None), f._key, algorithm="RS256", headers={"kid": f.kid}
            )
        ),
    ),
    Case("alg-none", bearer(unsigned)),
    Case("hs256-app-password", bearer(hmac_with_app_password)),
    Case("signature-stripped", bearer(strip_signature)),
    Case("payload-swapped", bearer(swap_payload)),
    Case("unknown-key", bearer(lambda f: f.token(foreign_key=True))),
    Case(
        "unknown-kid",
        bearer(lambda f: jwt.encode(claims(f), f._key, algorithm="RS256", headers={"kid": "nope"})),
    ),
    Case("other-service-url", bearer(lambda f: f.token(service_url="https://evil.example/amer/"))),
    Case("token-with-4-kb-tail", bearer(lambda f: f.token() + "A" * 4_000)),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_an_untrusted_token_is_401_and_changes_nothing(server: Server, case: Case) -> None:
    fake = server.teams.fake
    before = rows(server.core)
    body = json.dumps(activity(fake, text="/learn help")).encode()
    headers = {"Content-Type": "application/json"}
    authorization = case.authorization(fake)
    if authorization is not None:
        headers["Authorization"] = authorization
    async with server.teams.session.post(
        server.url + "/api/messages", data=body, headers=headers
    ) as r:
        status = r.status
    assert status == 401
    assert fake.calls == [], "nothing was sent to the connector"
    assert rows(server.core) == before


async def test_the_same_valid_token_is_accepted(server: Server) -> None:
    """The control row: the table above fails for its token, not for its activity."""
    fake = server.teams.fake
    response = await server.teams.send(activity(fake, text="/learn help"))
    assert response.status in {200, 201}
    assert fake.messages(), "the bot answered"
