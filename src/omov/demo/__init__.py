"""`omov demo`: build a realistic election from the published 2016 Labour figures, and serve it.

A plain package (no models): everything it writes goes through the apps' services.

- ``figures``: the published 2016 figures (shipped in ``omov/demo/data``), and their scaled-down
  version.
- ``people``: the generated roll files (who may vote, and who may not and why).
- ``accounts``: the demo's staff accounts, one per role.
- ``build``: the whole build, step by step, idempotent.
"""
