"""The reference of `bench/cold_start.py`: a minimal FastAPI + Mangum function with one route, the
least an API function on this stack can import. Issue 22 holds every API function to 1.3x its cold
start, measured in the same run."""

from fastapi import FastAPI
from mangum import Mangum

app = FastAPI()


@app.get("/v1/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


handler = Mangum(app, lifespan="off", api_gateway_base_path="/")
