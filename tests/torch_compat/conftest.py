"""The snippets are data for test_snippets.py, not tests (one of them defines a function called test)."""

collect_ignore_glob = ["snippets/*"]
