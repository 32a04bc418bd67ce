"""Awareness: phishing simulations, reported-mail triage, training and quizzes (issue 13).

Only the pure engine (``engine/``) and the content library (``library/``) exist so far; the
Django app (models, services, views, API, module registration) wraps them later.
"""
