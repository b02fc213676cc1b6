"""The ONNX runner: a bundle's graph on the CPU, over a feature matrix in chunks.

Memory stays bounded whatever the workload: the runner feeds the graph a slice of rows
at a time and yields that chunk's draws, which the caller summarises and drops before
the next chunk. Every chunk's draws are checked (count, NaN, infinity, negative values)
before anyone sees them, or, by a caller that sorts the rows anyway, right after the
sort from each row's two ends; a bad chunk raises BundleError and nothing of the run
is kept.
Sessions use onnxruntime's CPU provider only, tuned for a two-core laptop.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.errors import BundleError

if TYPE_CHECKING:
    from engine.bundle import Bundle

log = logging.getLogger(__name__)

# A chunk's draws take about this many bytes (float32); a few such buffers live at
# once (the graph's output, its sorted copy, interval widths), far under a laptop's
# memory, while still large enough that the per-call cost of onnxruntime is small.
CHUNK_BYTES = 32 * 1024**2


def default_threads() -> int:
    """Threads for one session: the machine's cores, at most four."""
    return max(1, min(4, os.cpu_count() or 1))


def new_session(graph: bytes, threads: int | None = None) -> Any:
    """An onnxruntime CPU session over the graph's bytes; BundleError if unloadable."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or default_threads()
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    # Idle intra-op threads sleep instead of spinning: a forecast run summarises one
    # chunk on another thread while the next is inferred, and spinning threads would
    # take the core it needs (the desktop's UI thread too).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    try:
        return ort.InferenceSession(
            graph, sess_options=options, providers=["CPUExecutionProvider"]
        )
    except Exception as err:  # onnxruntime raises its own untyped errors
        raise BundleError(
            f"The bundle's model graph cannot be loaded ({_first_line(err)}); it is "
            "damaged or needs a newer fieldcast."
        ) from err


class Runner:
    """Runs one bundle's graph; yields validated draws chunk by chunk."""

    def __init__(
        self, bundle: Bundle, *, threads: int | None = None, check_values: bool = True
    ) -> None:
        spec = bundle.manifest.output_spec
        self.bundle_id = bundle.id
        self.input_name = spec.input_name
        self.output_name = spec.output_name
        self.draws = spec.draws
        self.features = len(bundle.manifest.input_spec.features)
        # Without value checks in ``infer`` the caller sorts each chunk's rows and
        # calls ``check_sorted``, which reads only each row's first and last draw.
        self.checks_values = check_values
        # The session made while opening the bundle (from the verified bytes) is used
        # when no other thread count is asked; otherwise the graph is read again and
        # checked against its digest, so what runs is exactly what was verified.
        if threads is None and bundle.session is not None:
            self.session = bundle.session
        else:
            self.session = new_session(bundle.read_graph(), threads)

    def chunk_rows(self) -> int:
        """Rows per chunk so that one chunk's draws take about CHUNK_BYTES."""
        return max(1, CHUNK_BYTES // (4 * self.draws))

    def infer(self, features: np.ndarray) -> np.ndarray:
        """Draws ``[rows, S]`` for one chunk of feature rows, validated.

        The draw count and type are always checked; the values (NaN, infinity,
        negatives) too unless the runner was made with ``check_values=False``.
        """
        matrix = np.ascontiguousarray(features, dtype=np.float32)
        if matrix.ndim != 2 or matrix.shape[1] != self.features:
            raise BundleError(
                f"The feature matrix has shape {matrix.shape}; bundle "
                f"{self.bundle_id} needs {self.features} features per row."
            )
        if len(matrix) == 0:
            return np.empty((0, self.draws), dtype=np.float32)
        try:
            (draws,) = self.session.run([self.output_name], {self.input_name: matrix})
        except Exception as err:  # onnxruntime raises its own untyped errors
            raise BundleError(
                f"The model of bundle {self.bundle_id} failed while running "
                f"({_first_line(err)}); no forecast was stored."
            ) from err
        return self._checked(np.asarray(draws), len(matrix))

    def run(
        self, features: np.ndarray, chunk_rows: int | None = None
    ) -> Iterator[tuple[int, np.ndarray]]:
        """Yield ``(first_row, draws)`` for consecutive chunks of ``features``."""
        step = chunk_rows or self.chunk_rows()
        for start in range(0, len(features), step):
            yield start, self.infer(features[start : start + step])

    def check_sorted(self, ordered: np.ndarray) -> None:
        """Refuse NaN, infinite or negative draws in rows already sorted ascending.

        A sorted row holds its negatives (and minus infinity) first and its NaN and
        plus infinity last, so its two ends tell all.
        """
        if len(ordered) == 0:
            return
        if not np.isfinite(ordered[:, -1]).all():
            self.check_values(ordered)  # NaN or infinity: the full check's message
        if ordered[:, 0].min() < 0:
            self.check_values(ordered)

    def check_values(self, draws: np.ndarray) -> None:
        """Refuse NaN, infinite or negative draws, in any order."""
        # One pass for NaN and infinity; negative values separately (NaN compares
        # false, so the order of the checks matters only for the message).
        if not np.isfinite(draws).all():
            raise BundleError(
                f"The model of bundle {self.bundle_id} gave NaN or infinite draws. "
                "No forecast was stored; report this to the regional office."
            )
        if draws.min() < 0:
            raise BundleError(
                f"The model of bundle {self.bundle_id} gave negative fatality draws. "
                "No forecast was stored; report this to the regional office."
            )

    def _checked(self, draws: np.ndarray, rows: int) -> np.ndarray:
        if draws.shape != (rows, self.draws):
            raise BundleError(
                f"The model of bundle {self.bundle_id} gave draws of shape "
                f"{draws.shape} for {rows} rows; its manifest promises {self.draws} "
                "draws per row. No forecast was stored."
            )
        if draws.dtype != np.float32:
            raise BundleError(
                f"The model of bundle {self.bundle_id} gave {draws.dtype} draws, not "
                "float32. No forecast was stored."
            )
        if self.checks_values:
            self.check_values(draws)
        return draws


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0][:300] if text else type(err).__name__
