#!/usr/bin/env python3
"""gdb non-stop mode against the stub (tests/gdb/run.sh, docs/gdb.md
"Non-stop mode"): CPUs stop and resume independently; stops arrive as %Stop
notifications. Usage: nonstop.py PORT ELF LOG

gdb-multiarch is driven command by command over a pipe (not -batch: a
sourced script does not run gdb's event loop between commands, so
notifications would only be taken in at the next foreground wait). Each
command waits for the output that shows its effect before the next one is
sent, so the session is the same however the host schedules the two
processes. startup_race.S on 2 harts: cpu1 (thread 2) parked at
secondary_work while cpu0 (thread 1) runs 70 ms of virtual time ahead and
sends the IPI; then cpu1 runs in the background while cpu0 single-steps;
`interrupt` (vCont;t) stops cpu1; detach lets both run to the end. Prints
the transcript; run.sh checks it."""
import re
import select
import subprocess
import sys
import time

port, elf, log = sys.argv[1], sys.argv[2], sys.argv[3]
gdb = subprocess.Popen(["gdb-multiarch", "-nx", "-q", elf], stdin=subprocess.PIPE,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
out = b""
transcript = open(log, "w")


def expect(regex, timeout=30):
    """Reads gdb's output until regex matches what came since the last
    command; returns the match (None on timeout or gdb gone)."""
    global out
    end = time.time() + timeout
    while True:
        m = re.search(regex.encode(), out, re.M)
        if m:
            return m
        left = end - time.time()
        if left <= 0 or gdb.poll() is not None:
            transcript.write("TIMEOUT waiting for /%s/\n" % regex)
            return None
        r, _, _ = select.select([gdb.stdout], [], [], left)
        if r:
            chunk = gdb.stdout.read1(65536)
            if not chunk:
                continue
            out += chunk
            transcript.write(chunk.decode(errors="replace"))
            transcript.flush()


def cmd(line, regex=None, timeout=30):
    """Sends one command and waits for its prompt and for regex (output of
    the command or, after `continue &`, a stop that comes after the
    prompt): the next command goes out only when both are there."""
    global out
    out = b""
    transcript.write("\n>>> %s\n" % line)
    gdb.stdin.write((line + "\n").encode())
    gdb.stdin.flush()
    prompt = expect(r"^\(gdb\) ", timeout)
    return expect(regex, timeout) if regex and prompt else prompt


expect(r"^\(gdb\) ")
for line in ["set pagination off", "set confirm off", "set non-stop on",
             "set architecture riscv:rv64"]:
    cmd(line)
# attach: both CPUs stopped (cpu1's stop comes as a notification)
cmd("target remote :%s" % port, r"Thread 2 stopped")
cmd("info threads")
# cpu1 alone runs to secondary_work; cpu0 stays stopped
cmd("thread 2")
cmd("break secondary_work")
cmd("continue &", r"Thread 2 hit Breakpoint 1, .*secondary_work")
cmd('printf "PARK pc=%#lx\\n", $pc')
# cpu0 alone runs 70 ms of virtual time to ipi_sent; cpu1 stays parked
cmd("thread 1")
cmd("delete")
cmd("break ipi_sent")
cmd("continue &", r"Thread 1 hit Breakpoint 2, .*ipi_sent")
cmd('printf "SENT pc=%#lx\\n", $pc')
cmd("monitor vtime")
cmd("thread 2")
cmd('printf "HELD pc=%#lx mip=%#lx\\n", $pc, $mip')
cmd("delete")
# cpu1 runs on in the background (takes the early IPI, does its start-up
# work, waits forever); cpu0 single-steps meanwhile
cmd("continue &")
cmd("info threads", r"^\* 2 .*\(running\)")
cmd("thread 1")
cmd("stepi")
cmd('printf "STEP1 pc=%#lx\\n", $pc')
cmd("info threads")
cmd("monitor harts")
# vCont;t: stop cpu1 where it is
cmd("thread 2")
cmd("interrupt", r"Thread 2 .*stopped")
cmd("info threads")
cmd('printf "STOPPED2 pc=%#lx\\n", $pc')
cmd("monitor harts")
cmd("detach", r"[Dd]etach")
try:
    gdb.stdin.close()
    gdb.wait(timeout=20)
except Exception:
    gdb.kill()
transcript.close()
