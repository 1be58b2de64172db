"""The consultant's workspace (/my/): her customers in the order of what is due, a contact in two taps, her day.

It is a small front-end of its own, Django templates made for a 360 px phone, not the
Wagtail admin: a consultant's role holds no admin access (core.roles). `views` are her
pages, `account` her sign-in and the link that sets her password.
"""
