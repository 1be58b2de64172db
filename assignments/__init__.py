"""The pool of released graduates and the assignment of orphaned customers (DESIGN §4)."""
