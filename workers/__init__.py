"""Dramatiq broker set-up, the actor, the outbox relay and the periodic scheduler (DESIGN:
`workers → server`). Started by the CLI (`worker`, `scheduler`) or, in the embedded default,
inside the API process (`workers.inprocess`)."""
