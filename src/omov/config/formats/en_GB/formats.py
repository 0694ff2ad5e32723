"""Every form shows and accepts one date format: ISO 8601 (issue 15, item 9).

Django's British formats prefill a date as 01/11/2026 and also accept 2026-11-01, so the rules
form showed one format beside a hint naming the other, and a date widget (which needs 2026-11-01)
was handed 01/11/2026. The admin's date and time boxes use these formats too. Dates on pages keep
the British display ("1 Nov 2026"); only what is typed and prefilled is ISO.
"""

DATE_INPUT_FORMATS = ["%Y-%m-%d"]
TIME_INPUT_FORMATS = ["%H:%M", "%H:%M:%S"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
]
