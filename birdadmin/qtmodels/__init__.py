"""QtCore item models over the domain objects (no widgets); every one passes QAbstractItemModelTester."""
