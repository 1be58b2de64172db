"""Korean date and time formats: the hour after 오전/오후, and the weekday beside every date with a time.

Django's own Korean formats write "2026년 12월 9일 10:00 오전", an order no Korean reader
uses; people expect "12월 9일 (수) 오전 10:00". Formats not named here fall back to Django's.
"""

TIME_FORMAT = "A g:i"
DATETIME_FORMAT = "Y년 n월 j일 (D) A g:i"
SHORT_DATETIME_FORMAT = "n월 j일 (D) A g:i"
MONTH_DAY_FORMAT = "n월 j일 (D)"
