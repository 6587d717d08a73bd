"""The worker of the "emails" queue that examples/app.py fills.

    FLOWSTORE_URL=http://127.0.0.1:8080 python clients/python/examples/worker.py

Stops on SIGTERM or Ctrl-C after the running jobs finish. Delivery is at least once, so "sending"
is made idempotent: the email is recorded as an event whose id is derived from the job id, and a
second delivery of the same job re-appends the same event, which flowstore answers as a replay.
"""

from __future__ import annotations

import logging
import os
import uuid

from flowstore import Client, Lease

NAMESPACE = uuid.UUID("5b7f0c1e-2f4e-4d0a-9a53-9c1f1e0d7a11")

client = Client(
    os.environ.get("FLOWSTORE_URL", "http://127.0.0.1:8080"),
    api_key=os.environ.get("FLOWSTORE_API_KEY"),
    tenant=os.environ.get("FLOWSTORE_TENANT"),
)


@client.worker("emails", concurrency=4, visibility_timeout_s=30)
def send_confirmation(job: Lease) -> None:
    # a real worker calls its mail provider here, with the job id as the provider's idempotency key
    client.events.append(
        f"email-{job.payload['order_id']}",
        [
            {
                "type": "email.sent",
                "event_id": str(uuid.uuid5(NAMESPACE, job.job_id)),
                "payload": {"to": job.payload["to"], "job_id": job.job_id},
            }
        ],
        expected_version="no_stream",
    )


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    print(f"worker of 'emails' on {client.url}", flush=True)
    stats = send_confirmation.run()
    print(f"stopped: {stats}", flush=True)
