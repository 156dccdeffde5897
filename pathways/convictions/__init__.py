"""Convictions and cautions recorded on a person, with their sentences; when each is spent
(pathways.rehabilitation) and what an opportunity's criminal record check shows."""
