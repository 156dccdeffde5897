"""The Rehabilitation of Offenders Act 1974 (England and Wales), as pure functions.

No models, no database, no other app: plain data in, dates out. rules.py is the table to check
against the Act and the Ministry of Justice's guidance; calculator.py applies it; filtering.py
says which convictions a DBS check shows. docs/disclosure.md cites the sources.
"""
