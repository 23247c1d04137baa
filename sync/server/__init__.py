"""The headquarters server: FastAPI on uvicorn over PostgreSQL (SQLite for a
one-machine demo). App processes keep no state that exactly-once depends on, so
several can run behind a load balancer against one PostgreSQL."""
