"""登录: a name and a password against the review store's accounts (dashboard.auth). Wrong
passwords are slowed and, after several, the account is locked for a while; the English switch is
here too, since an anonymous visitor in `--auth required` mode sees no sidebar."""

from dashboard import auth

auth.login_form()
