"""Slack: slack-bolt's async app, Block Kit rendering, App Home and notifications."""

from bot.adapters.slack.adapter import NotifyError, SlackAdapter

__all__ = ["NotifyError", "SlackAdapter"]
