"""Platform adapters: thin translators between a chat platform and the core model.

Only ``bot.adapters.slack`` imports slack_bolt/slack_sdk; only ``bot.adapters.teams``
imports botbuilder (tests enforce it).
"""
