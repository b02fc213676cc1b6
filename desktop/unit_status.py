"""A unit's status in a forecast run: the three codes every view and read shares."""

STATUS_OK, STATUS_WARNING, STATUS_BLOCKED = 0, 1, 2
