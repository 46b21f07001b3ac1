#!/bin/bash
# make check: the includes follow src/'s layers and no modules depend on
# each other in a cycle (tests/layout/check-layers, src/README).
command -v python3 >/dev/null || { echo "SKIP: needs python3"; exit 77; }
exec python3 "$NVD_SRCDIR/tests/layout/check-layers" "$NVD_SRCDIR/src" "$NVD_BUILDDIR/src"
