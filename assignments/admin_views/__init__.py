"""The assignments app's admin screens: the pool (`pool`), the customer book (`book`),
assignment runs and the month-end orphan risk (`runs`)."""
