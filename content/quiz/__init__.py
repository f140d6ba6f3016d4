"""Onboarding quizzes: generated and authored questions, and spaced repetition."""
