"""Moved: scripts/smtp-sink is the project's one SMTP sink (same serve, mute, closed and parse
commands). This path only forwards to it, for scripts/bench.d/newsletter until its
FIXTURE= line names scripts/smtp-sink; delete this file (and MailTests' exclude of Fixtures
in Package.swift) then.
"""
import os
import sys

SINK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "scripts", "smtp-sink")
os.execv(sys.executable, [sys.executable, os.path.normpath(SINK)] + sys.argv[1:])
