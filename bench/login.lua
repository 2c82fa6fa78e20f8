-- wrk script: POST /api/token with the bench user's credentials (JSON).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = os.getenv("BENCH_LOGIN_BODY")
