"""Role-play: scenarios built from the personas, and deterministic scoring."""
