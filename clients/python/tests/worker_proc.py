"""A worker process for the tests: marks each job it starts and finishes in the stream "marks".

    python worker_proc.py URL TENANT QUEUE SLEEP_S VISIBILITY_TIMEOUT_S
"""

import os
import sys
import time

from flowstore import Client, Lease

url, tenant, queue, sleep_s, vt = sys.argv[1:6]
client = Client(url, tenant=tenant)


@client.worker(queue, concurrency=2, visibility_timeout_s=int(vt), poll_interval_s=0.1)
def handle(job: Lease) -> None:
    mark = {"job_id": job.job_id, "pid": os.getpid(), "attempt": job.attempt}
    client.events.append("marks", [{"type": "started", "payload": mark}])
    time.sleep(float(sleep_s))
    client.events.append("marks", [{"type": "finished", "payload": mark}])


stats = handle.run()
print(f"stopped: {stats}", flush=True)
