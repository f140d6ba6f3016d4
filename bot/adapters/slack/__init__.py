"""Slack: slack-bolt's async app, Block Kit rendering, App Home and notifications."""

from bot.adapters.slack.adapter import SlackAdapter

__all__ = ["SlackAdapter"]
