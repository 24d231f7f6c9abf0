"""Shared helpers of the blood-donation campaign workbook.

Notebooks tell the story and call into this package; every computation lives
here as a small named function that takes frames or numbers and returns them.

Importing the package (before numpy, as every notebook and command does) sets
NUMPY_MADVISE_HUGEPAGE=0 unless it is set already. numpy asks Linux for
transparent huge pages on every array of 4 MB or more. Where the kernel
compacts memory on such a request (`/sys/kernel/mm/transparent_hugepage/defrag`
set to madvise, a common default), the first touch of each new array stalls:
on 10 million visits that made the summary 2.6 x slower (1.9 s against 0.73 s)
and the large-file read 1.3 x (4.1 s against 3.2 s). Set the variable to 1 to
keep numpy's default. See benchmarks/README.md.
"""

import os as _os

__version__ = "0.1.0"

_os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
