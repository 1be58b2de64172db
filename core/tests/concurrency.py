"""Run work in threads released together, for the race tests on PostgreSQL."""

import threading
from collections.abc import Callable

from django.db import connection


def in_parallel(work: Callable[[int], object], count: int) -> list:
    """Run `work(i)` in `count` threads released together; return their results (or errors) in order."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as error:  # noqa: BLE001 - the test asserts on it
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
