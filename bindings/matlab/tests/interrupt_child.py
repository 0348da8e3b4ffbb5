"""Ctrl+C driven for real: start a command, wait until its transfer is under way,
send it SIGINT, and report how it ended.

    python interrupt_child.py STARTED OUTFILE -- COMMAND...

Starts COMMAND with SIGINT at its default disposition (a background job of a
non-interactive shell would inherit it ignored), waits for the file STARTED (made by
counting_proxy.py once a throttled body is being sent; at most 60 s), sends one
SIGINT, and waits for the command to exit (at most 30 s, then it is killed). Writes
to OUTFILE the lines "rc=<exit status>", "seconds=<from the signal to the exit>",
then the command's output (stdout and stderr together). Exits 0 whenever the
signal was sent, 1 if the command never started its transfer.
"""
import signal
import subprocess
import sys
import time


def default_sigint():
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_for(path, seconds, child):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and child.poll() is None:
        try:
            open(path).close()
            return True
        except FileNotFoundError:
            time.sleep(0.02)
    return False


def main():
    started, outfile, sep, *command = sys.argv[1:]
    assert sep == "--", "usage: interrupt_child.py STARTED OUTFILE -- COMMAND..."
    with open(outfile + ".log", "w") as log:
        child = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                 preexec_fn=default_sigint)
        if not wait_for(started, 60, child):
            child.kill()
            child.wait()
            with open(outfile, "w") as out:
                out.write("rc=%d\nseconds=nan\nnever started\n" % child.returncode)
            return 1
        sent = time.monotonic()
        child.send_signal(signal.SIGINT)
        try:
            rc = child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            rc = child.wait()
        seconds = time.monotonic() - sent
    with open(outfile, "w") as out, open(outfile + ".log") as log:
        out.write("rc=%d\nseconds=%.3f\n%s" % (rc, seconds, log.read()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
