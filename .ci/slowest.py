#!/usr/bin/env python3
"""Prints where the test suite's time goes, from the trx file every `dotnet test` writes (tests/…/bcp.runsettings).

Test classes run in parallel, so a class's summed duration is the time it keeps a core busy, not the wall clock it
adds; the ranking still names the classes to look at first when the suite nears its ceiling (docs/testing.md).
"""
import collections, glob, os, sys, xml.etree.ElementTree as ET

def seconds(text):
    h, m, s = text.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)

files = sorted(glob.glob(sys.argv[1] if len(sys.argv) > 1 else "tests/*/TestResults/bcp-tests*.trx"), key=os.path.getmtime)
if not files:
    sys.exit("no trx file found")
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
root = ET.parse(files[-1]).getroot()
by_class, tests = collections.defaultdict(float), []
for result in root.iterfind(".//t:UnitTestResult", ns):
    name, took = result.get("testName"), seconds(result.get("duration", "0:0:0"))
    # xunit names a test Namespace.Class.Method (theories add "(…)"); the class is the part before the method.
    klass = name.split("(")[0].rsplit(".", 1)[0].replace("BackupControlPlane.Api.Tests.", "")
    by_class[klass] += took
    tests.append((took, name.replace("BackupControlPlane.Api.Tests.", "")))
print(f"Slowest test classes (summed test time, {os.path.basename(files[-1])}):")
for klass, took in sorted(by_class.items(), key=lambda kv: -kv[1])[:15]:
    print(f"  {took:7.1f} s  {klass}")
print("Slowest tests:")
for took, name in sorted(tests, reverse=True)[:10]:
    print(f"  {took:7.1f} s  {name[:140]}")
