"""What the transition bot knows: partners, questions and answers, nudges, and message builders."""

import os

# One BLAS thread, set before numpy loads: the answer engine's products are small, and more threads only fight the web
# server and each other for the cores (a question took 4x longer with OpenBLAS's default on a busy 2-core machine).
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
