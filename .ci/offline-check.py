#!/usr/bin/env python3
"""Reads an `strace -f -e trace=connect,sendto,sendmsg` log of the test run and lists every attempt to reach an address
that is not this machine (loopback). Exit 1 when there is any: the emulator and everything the tests drive must work
with no network. Unix and netlink sockets are local and ignored."""
import ipaddress, re, sys

INET = re.compile(r'sa_family=AF_INET, sin_port=htons\((\d+)\), sin_addr=inet_addr\("([^"]+)"\)')
INET6 = re.compile(r'sa_family=AF_INET6, sin6_port=htons\((\d+)\).*?inet_pton\(AF_INET6, "([^"]+)"')

def local(address):
    ip = ipaddress.ip_address(address)
    if ip.version == 6 and ip.ipv4_mapped: ip = ip.ipv4_mapped
    return ip.is_loopback or ip.is_unspecified

CLONE = re.compile(r'^\d+\s+(?:clone|clone3|vfork|fork)\(.*\)\s+=\s+(\d+)$')
EXECVE = re.compile(r'^(\d+)\s+execve\("[^"]*", \[(.*?)\]')
attempts, commands = {}, {}
for line in open(sys.argv[1], errors="replace"):
    started = EXECVE.match(line)
    if started: commands[started.group(1)] = started.group(2)[:160]  # which program a pid runs, to name who tried
    pid = line.split(" ", 1)[0]
    child = CLONE.search(line)
    if child and pid in commands: commands.setdefault(child.group(1), commands[pid])  # threads and forks run their parent's program
    for pattern in (INET, INET6):
        for port, address in pattern.findall(line):
            if not local(address):
                key = f"{address}:{port}"
                attempts.setdefault(key, f"pid {pid} ({commands.get(pid, 'a thread or fork of an earlier process')}): {line.strip()[:200]}")
if attempts:
    print(f"{len(attempts)} destination(s) off this machine were tried during the test run:")
    for key, line in sorted(attempts.items()): print(f"  {key}   e.g. {line}")
    sys.exit(1)
print("no connection attempt left the machine (loopback only)")
