"""Province-scale sweeps on dask.distributed: profiles from JSONL or Parquet, decisions to Parquet
or JSONL, in input order; stored decisions replayed and compared in partitions."""

from cases.sweeps.cluster import open_client
from cases.sweeps.partitions import Partition, plan_partitions
from cases.sweeps.plugin import CompileReleases
from cases.sweeps.run import SweepSummary, run_sweep

__all__ = ["CompileReleases", "Partition", "SweepSummary", "open_client", "plan_partitions", "run_sweep"]
