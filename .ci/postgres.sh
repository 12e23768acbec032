# ensure_postgres makes sure a PostgreSQL server answers on 127.0.0.1:5432 and
# exports OMBC_TEST_POSTGRES_DSN for the storage tests: it starts an installed
# cluster, or installs Debian's postgresql and starts it. On failure the
# storage tests skip their PostgreSQL half with a message saying why.
ensure_postgres() {
  local dsn="postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
  pg_ready() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "installing Debian's postgresql"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) \
      || echo "could not install postgresql"
  fi
  if command -v pg_ctlcluster >/dev/null 2>&1 && ! pg_ready; then
    local ver
    ver=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
    if [ -n "$ver" ]; then
      pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
    fi
    for _ in $(seq 1 30); do pg_ready && break; sleep 1; done
  fi
  if pg_ready; then
    # Trust auth on loopback is the machine's default; make sure the test
    # database exists either way.
    if psql "$dsn" -qtAc "select 1 from pg_database where datname='test'" 2>/dev/null | grep -q 1 \
      || psql "$dsn" -qc "create database test" >/dev/null 2>&1; then
      export OMBC_TEST_POSTGRES_DSN="postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
      echo "PostgreSQL ready: $OMBC_TEST_POSTGRES_DSN"
      return 0
    fi
  fi
  echo "PostgreSQL not available: its storage tests will skip"
}
