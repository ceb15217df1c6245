#!/usr/bin/env python3
"""Runs Debian 12's wapiti 3.0.4 with one fix: its exclusion patterns (-x) are compiled as
`...\\Z(?ms)`, which Python 3.11 rejects ("global flags not at the start"), so every -x crashes
it. Same translation, flags first; everything else is wapiti as packaged."""
import re
import sys

import wapitiCore.net.crawler as crawler


def wildcard_translate(pattern):
    return re.compile("(?ms)" + "".join(".*" if c == "*" else re.escape(c) for c in pattern) + r"\Z")


crawler.wildcard_translate = wildcard_translate

from wapitiCore.main.wapiti import wapiti_main  # noqa: E402

sys.argv[0] = "wapiti"
sys.exit(wapiti_main())
