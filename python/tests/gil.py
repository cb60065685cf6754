"""Whether a call releases the GIL: the main thread keeps waking up while the call runs in
another thread only if the call lets go of the GIL. (A call that holds it, such as
`sum(range(3 * 10**7))`, stalls the main thread for its whole duration.)"""

import threading
import time


def longest_stall(call):
    """(seconds `call` took in a worker thread, the longest the main thread could not run
    meanwhile). A call holding the GIL throughout stalls the main thread for all of it."""
    done = threading.Event()
    span = {}

    def work():
        span["start"] = time.perf_counter()
        call()
        span["end"] = time.perf_counter()
        done.set()

    worker = threading.Thread(target=work)
    worker.start()
    wakes = []
    while not done.is_set():
        time.sleep(0.002)
        wakes.append(time.perf_counter())
    worker.join()
    inside = [w for w in wakes if span["start"] <= w <= span["end"]]
    edges = [span["start"], *inside, span["end"]]
    return span["end"] - span["start"], max(b - a for a, b in zip(edges, edges[1:]))
