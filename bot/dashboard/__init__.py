"""The admin dashboard (``GET /admin``), its sign-in through chat, and the figures it shows."""
