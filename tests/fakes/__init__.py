"""Local fakes of the services the bot talks to, each a real HTTP server on 127.0.0.1."""
