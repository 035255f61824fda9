# Restarts the local service: stops the running one (and waits until it has exited), then
# starts a new one that loads the .env afresh.   sh restart.sh STATE_DIR ENV_FILE [PORT]
set -eu
state=$1
envfile=$2
port=${3:-8787}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$state"
echo "restart ${REKEY_RESTARTED_FOR:-}" >>"$state/restarts.log"
if [ -f "$state/pid" ]; then
    pid=$(cat "$state/pid")
    if kill "$pid" 2>/dev/null; then
        while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
    fi
fi
REKEY_LOCAL_ENV=$envfile REKEY_LOCAL_PORT=$port REKEY_LOCAL_STATS=$state/stats.jsonl \
    nohup node "$here/service.js" >>"$state/service.log" 2>&1 </dev/null &
echo $! >"$state/pid"
