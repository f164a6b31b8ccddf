"""gunicorn's threaded worker (gthread), taking a new connection only while one of its threads is
free.

Every worker waits on the same listening socket, and gunicorn's gthread worker accepts every
connection it is woken for, busy or not (gunicorn issue #3433, open): a keep-alive connection
then stays with the worker that accepted it. Clients that connect together (a browser's
connections, a load balancer's pool, 32 wrk connections) can all land on one worker while the
other idles: measured on the bench town with 2 workers x 4 threads, 32 keep-alive connections
split 32/0 served the nearby API at 467 req/s, split 10/22 at 863-892 req/s, and which split a
run got was chance.

This worker prefers a free thread: while as many requests as it has threads are being answered,
it leaves a new connection in the kernel's queue for up to DEFER_S, for a worker with a thread
free to take; then it takes one itself (a connection is never left waiting longer because both
workers are busy: it would then wait for a thread in either). It listens again at once when one
of its threads is free. Connections already kept alive are served as before."""
import selectors
import time
from types import SimpleNamespace

from gunicorn.workers.gthread import ThreadWorker

DEFER_S = 0.02


class FairThreadWorker(ThreadWorker):
    def init_process(self):
        self._running = 0  # requests handed to the thread pool and not finished
        self._fresh = 0  # connections taken whose first request has not been read yet
        self._acceptors = {}  # listening socket -> its accept callback, while not listening
        self._listen_at = 0.0  # while not listening: when to listen again anyway
        super().init_process()  # runs the worker's loop (run) until it exits

    def _busy(self):
        # A connection just taken counts as a request: its client sends one at once, and a
        # worker taking a burst of connections faster than their requests come would take them all.
        return self._running + self._fresh >= self.cfg.threads

    def _stop_listening(self):
        if not self._acceptors:
            for sock in self.sockets:
                self._acceptors[sock] = self.poller.unregister(sock).data
            self._listen_at = time.monotonic() + DEFER_S

    def _listen(self):
        if self._acceptors and self.alive:
            for sock, acceptor in self._acceptors.items():
                self.poller.register(sock, selectors.EVENT_READ, acceptor)
            self._acceptors = {}

    def accept(self, server, listener):
        """One connection taken (main thread); busy, the next one is left to the others."""
        taken = []  # (nr_conns is changed by the threads too: it cannot tell)

        def take():
            pair = listener.accept()  # OSError (EAGAIN) when another worker was quicker
            taken.append(pair)
            return pair

        super().accept(server, SimpleNamespace(accept=take))
        with self._lock:
            self._fresh += len(taken)
            if self._busy():
                self._stop_listening()

    def enqueue_req(self, conn):
        """A request arrived (main thread)."""
        with self._lock:
            self._running += 1
            if not conn.initialized:  # its first request
                self._fresh -= 1
            if self._busy():
                self._stop_listening()
        super().enqueue_req(conn)

    def finish_request(self, fs):
        """A request ended (its thread, or the main one): a thread is free, listen."""
        super().finish_request(fs)
        with self._lock:
            self._running -= 1
            if not self._busy():
                self._listen()

    def murder_keepalived(self):
        """Called by the worker's loop at each turn (at least every second)."""
        super().murder_keepalived()
        if self._acceptors and time.monotonic() >= self._listen_at:
            with self._lock:
                self._listen()
