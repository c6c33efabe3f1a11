"""Demo and scale data for a laptop, the tests and the benchmarks.

Installed only by ``config.settings.local`` and ``config.settings.test``, and
left out of the Lambda package (``zappa_settings.json``): production has no
``seed_demo`` command and none of this code.
"""
