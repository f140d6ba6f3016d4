"""Microsoft Teams: botbuilder's CloudAdapter and Adaptive Card 1.5 rendering.

botbuilder-python is archived (its successor is the Microsoft 365 Agents SDK); every
botbuilder/botframework import stays inside this package so the swap stays local.
"""
