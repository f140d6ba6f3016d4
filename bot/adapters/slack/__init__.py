"""Slack: slack-bolt's async app, Block Kit rendering, App Home and notifications."""

from bot.adapters.slack.adapter import SlackAdapter
from bot.adapters.slack.outbound import NotifyError

__all__ = ["NotifyError", "SlackAdapter"]
