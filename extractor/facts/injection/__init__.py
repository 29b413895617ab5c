"""Injections, in one home: mentions and their attributes (`mentions`), dates (`dates`), assertion
(`assertion`), procedure logs and tables (`log`), relief statements (`relief`) and linking relief and
undated mentions to their injection across the notes of a packet (`link`)."""
from extractor.facts.injection.mentions import extract

__all__ = ["extract"]
