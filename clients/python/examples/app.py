"""A FastAPI service: placing an order appends its event, moves its session and enqueues its email.

    FLOWSTORE_URL=http://127.0.0.1:8080 uvicorn app:app --app-dir clients/python/examples

The three writes are three HTTP calls (the HTTP API has no transaction spanning calls). Each one
carries an idempotency key derived from the order id, so when anything fails half-way the caller
simply retries POST /orders: the steps that were done replay their first answer, the rest run.
"""

from __future__ import annotations

import os
import uuid

from fastapi import FastAPI
from pydantic import BaseModel

from flowstore import AsyncClient

NAMESPACE = uuid.UUID("5b7f0c1e-2f4e-4d0a-9a53-9c1f1e0d7a11")

app = FastAPI(title="orders")
fs: AsyncClient


class Order(BaseModel):
    order_id: str
    email: str
    total: float


@app.on_event("startup")
async def open_flowstore() -> None:
    global fs
    fs = AsyncClient(
        os.environ.get("FLOWSTORE_URL", "http://127.0.0.1:8080"),
        api_key=os.environ.get("FLOWSTORE_API_KEY"),
        tenant=os.environ.get("FLOWSTORE_TENANT"),
    )


@app.on_event("shutdown")
async def close_flowstore() -> None:
    await fs.aclose()


@app.post("/orders", status_code=201)
async def place_order(order: Order) -> dict:
    key = f"order-{order.order_id}"
    session_id = str(uuid.uuid5(NAMESPACE, key))
    event_id = str(uuid.uuid5(NAMESPACE, key + "/placed"))

    placed = await fs.events.append(
        key,
        [{"type": "order.placed", "event_id": event_id, "payload": order.dict()}],
        expected_version="no_stream",
        idempotency_key=key + "/append",
    )
    session = await fs.sessions.create(
        session_id=session_id, state={"order_id": order.order_id}, idempotency_key=key + "/session"
    )
    session = await fs.sessions.transition(
        session.session_id,
        expected_version=0,
        to_state="awaiting_payment",
        payload={"event_id": event_id},
        idempotency_key=key + "/transition",
    )
    job = await fs.queue.enqueue(
        "emails",
        "order.confirmation",
        {"order_id": order.order_id, "to": order.email},
        event_id=event_id,
        unique_key=key,
        idempotency_key=key + "/email",
    )
    return {
        "order_id": order.order_id,
        "position": placed.events[0].position,
        "session_state": session.current_state,
        "session_version": session.version,
        "job_id": job.job_id,
    }
