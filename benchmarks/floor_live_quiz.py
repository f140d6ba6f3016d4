"""The floor for ``bench_live_quiz.py``: button clicks acknowledged by bare bolt and botbuilder.

One aiohttp server, like ``personabot serve``, with both platforms' own integrations and
nothing else (no database, no quiz):

* ``POST /slack/events``: a slack-bolt ``AsyncApp`` whose one listener acks every
  ``block_actions`` click and then answers the clicker privately through the click's
  ``response_url`` (``response_type: ephemeral``), as our live quiz's "Got it" goes;
* ``POST /api/messages``: botbuilder's ``CloudAdapter`` (anonymous, no app id) with an
  ``ActivityHandler`` answering every ``adaptiveCard/action`` invoke (an
  ``Action.Execute`` click) with a small Adaptive Card in the HTTP response, as our
  refreshed card goes.

Usage::

    SLACK_BOT_TOKEN=xoxb-... SLACK_SIGNING_SECRET=... \\
        python benchmarks/floor_live_quiz.py [--host 127.0.0.1] [--port 3980]

Host and port default to ``PERSONABOT_HOST`` / ``PERSONABOT_PORT``, so the benchmark
starts it with the same environment as ``personabot serve``.
"""

from __future__ import annotations

import argparse
import os
import re
from typing import Any

from aiohttp import web
from botbuilder.core import ActivityHandler, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity, AdaptiveCardInvokeResponse, AdaptiveCardInvokeValue
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

GOT_IT = "Got it. The answer is revealed when the time is up."


class AnonymousConfig:
    """No Microsoft app credentials: botbuilder's local (anonymous) mode."""

    APP_ID = ""
    APP_PASSWORD = ""
    APP_TYPE = "MultiTenant"
    APP_TENANTID = ""


class ClickBot(ActivityHandler):  # type: ignore[misc]
    """Answers every ``Action.Execute`` click with a one-line card."""

    async def on_adaptive_card_invoke(
        self, turn_context: TurnContext, invoke_value: AdaptiveCardInvokeValue
    ) -> AdaptiveCardInvokeResponse:
        card = {
            "type": "AdaptiveCard",
            "version": "1.5",
            "body": [{"type": "TextBlock", "text": GOT_IT, "wrap": True}],
        }
        return AdaptiveCardInvokeResponse(
            status_code=200, type="application/vnd.microsoft.card.adaptive", value=card
        )


def build_app(*, token: str, signing_secret: str, api_url: str | None) -> web.Application:
    """The aiohttp application serving both floors."""
    client = AsyncWebClient(token=token, base_url=api_url or AsyncWebClient.BASE_URL)
    bolt = AsyncApp(signing_secret=signing_secret, client=client)

    @bolt.action(re.compile(".*"))
    async def clicked(ack: Any, respond: Any) -> None:
        await ack()
        await respond(text=GOT_IT, response_type="ephemeral", replace_original=False)

    async def slack(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(AnonymousConfig()))
    bot = ClickBot()

    async def teams(request: web.Request) -> web.StreamResponse:
        # ``adapter.process`` cannot serialize an adaptive-card invoke's answer (msrest
        # expects a model, the handler's body is a dict): the invoke is processed and its
        # answer returned by hand, as ``personabot serve`` does.
        activity = Activity().deserialize(await request.json())
        auth = request.headers.get("Authorization", "")
        response = await adapter.process_activity(auth, activity, bot.on_turn)
        if response is None:
            return web.Response(status=200)
        return web.json_response(response.body, status=response.status)

    app = web.Application()
    app.router.add_post("/slack/events", slack)
    app.router.add_post("/api/messages", teams)
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("PERSONABOT_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PERSONABOT_PORT", "3980")))
    args = parser.parse_args(argv)
    app = build_app(
        token=os.environ["SLACK_BOT_TOKEN"],
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        api_url=os.environ.get("PERSONABOT_SLACK_API_URL"),
    )
    web.run_app(app, host=args.host, port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
