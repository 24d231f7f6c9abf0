"""One subpackage per notebook: its computations (`compute`) and charts (`charts`)."""
