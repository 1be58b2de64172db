"""Completion certificates (수료증): issuing and closing them in `services`, drawing the PDF in `renderer`."""
