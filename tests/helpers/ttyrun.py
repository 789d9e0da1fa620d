#!/usr/bin/env python3
"""ttyrun.py [EXPECT SEND]... -- CMD [ARG]...: run CMD on a pseudo-terminal;
for each pair wait for the regular expression EXPECT in its output and type
SEND and Enter. The output goes to stderr; the exit code is CMD's."""
import sys

import pexpect

i = sys.argv.index('--')
pairs, cmd = sys.argv[1:i], sys.argv[i+1:]
c = pexpect.spawn(cmd[0], cmd[1:], timeout=60, encoding='utf-8')
c.logfile_read = sys.stderr
for k in range(0, len(pairs), 2):
    c.expect(pairs[k])
    c.sendline(pairs[k+1])
c.expect(pexpect.EOF)  # the rest of the output
c.close()
sys.exit(c.exitstatus if c.exitstatus is not None else 128 + c.signalstatus)
