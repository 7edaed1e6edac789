"""Runs: rendering reports, alone, by province and for the country, on warm kernels or a cluster.

One report: :mod:`~analysis.run.render` (papermill runs the notebook, :mod:`~analysis.run.html_page`
writes the offline page, :mod:`~analysis.run.page_stamp` seals it with its inputs). Warm
kernels: :mod:`~analysis.run.kernel_pool` (the pool), :mod:`~analysis.run.kernel_state` (what
runs in a kernel), :mod:`~analysis.run.engine` (the ``ntp-atlas-warm`` papermill engine).
Batches: :mod:`~analysis.run.options` (how to render), :mod:`~analysis.run.outputs` (where
outputs go), :mod:`~analysis.run.fingerprint`
(what a report depends on), :mod:`~analysis.run.threads` and :mod:`~analysis.run.cluster` (where
the reports run), :mod:`~analysis.run.outcomes` (what came of them),
:mod:`~analysis.run.index_page`, :mod:`~analysis.run.batch` (a province) and
:mod:`~analysis.run.country` (the country). Print maps: :mod:`~analysis.run.print_maps`.

May import every layer below: :mod:`analysis.report`, :mod:`analysis.maps`,
:mod:`analysis.store` and what they may import; never the command line.
"""

